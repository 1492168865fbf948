"""EyeClass inference core: plain Python + Keras, never imports Django.

Steps pass small typed records (dataclasses) along:
decode -> detect faces/landmarks -> track -> align and crop eyes -> classify (batched)
-> eye openness / head pose -> spot micro-expressions -> aggregate.
"""
