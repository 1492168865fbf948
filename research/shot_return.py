"""How far a shot's colours are from the shot before a cut, for the "back" threshold of SceneCuts.

For every cut `SceneCuts` flags at the analysis rate, prints the smallest histogram distance from
each analysed frame of the next `max_return` seconds to the frames of the `max_return` seconds
before the cut. A person walking past the lens comes back near the earlier frames; an edited cut
does not. Usage:
    python research/shot_return.py ../shared/data/video/labelled/classroom_handheld_students_looking_down.mp4 \
        ../shared/data/video/talk_single_face.mp4 [--fps 10]
"""

import argparse

from inference.tracking import SceneCuts
from inference.video import VideoReader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="+")
    parser.add_argument("--fps", type=float, default=10.0)
    parser.add_argument("--window", type=float, default=1.5, help="seconds before and after a cut")
    args = parser.parse_args()
    for video in args.videos:
        print(video)
        cuts = SceneCuts(max_return=0.0)  # flags every cut, never says "back"
        recent, cut_at, before = [], None, []
        for frame in VideoReader(video, fps=args.fps):
            shot = cuts(frame.image, frame.time)
            hist, _ = cuts.thumbnail(frame.image)
            if shot == "cut":
                cut_at, before = frame.time, [h for t, h in recent if frame.time - t <= args.window]
                print(f"  cut at {frame.time:.2f} s")
            elif cut_at is not None and frame.time - cut_at <= args.window and before:
                nearest = min(cuts.distance(h, hist) for h in before)
                print(f"    {frame.time:.2f} s: {nearest:.2f} from the shot before")
            recent = [(t, h) for t, h in recent if frame.time - t <= args.window] + [(frame.time, hist)]


if __name__ == "__main__":
    main()
