"""The model lab: the eye database, training, distillation, calibration fitting, evaluation, feature
maps and the labelled-clip benchmark. It may import the runtime (`inference`); the runtime never
imports it (tests/test_layers.py), so a worker loads none of this."""
