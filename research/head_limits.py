"""Why emotions and lids are read only within the facing head limits, on real clips.

Analyses each video with every readable face classified (the head-limit gate switched off) and
counts, for faces within and beyond `eyesignals.head_within`, how often each class is the shown top
class. Usage:
    python research/head_limits.py ../shared/data/video/labelled/classroom_handheld_students_looking_down.mp4 \
        ../shared/data/video/talk_single_face.mp4
"""

import argparse
from collections import Counter

from inference import eyesignals
from inference.classifier import load_classifier
from inference.eyesignals import head_within
from inference.pipeline import analyze_video, upload_options


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="+")
    args = parser.parse_args()
    eyesignals.EyeSignalEstimator.frontal = lambda self, signals: True  # classify every readable face
    classifier = load_classifier()
    for video in args.videos:
        result = analyze_video(video, upload_options(), classifier=classifier)
        tops = {True: Counter(), False: Counter()}
        for face in result.frames:
            if face.probs is not None and face.signals is not None:
                tops[head_within(face.signals.yaw, face.signals.pitch)][face.top] += 1
        print(video)
        for within, counts in tops.items():
            where = "within the limits" if within else "beyond the limits"
            print(f"  {where}: {sum(counts.values())} readings, top class {dict(counts.most_common())}")


if __name__ == "__main__":
    main()
