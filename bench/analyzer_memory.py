"""Does a live session leave memory behind once closed? Opens, feeds and closes SessionAnalyzers one
after another in this process (as a worker does for successive live sessions) and prints the resident
memory every few sessions: a leak grows without bound, allocator high-water settles.

    python -m bench.analyzer_memory [--sessions 40] [--frames 10] [--markdown [FILE]]
"""

import argparse
from pathlib import Path

import numpy as np

from bench.report import Report, add_markdown_option
from inference.classifier import EyeClassifier, accelerate
from inference.pipeline import SessionAnalyzer, live_options
from tests.clips import astronaut_face


def rss_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--frames", type=int, default=10)
    add_markdown_option(parser, "analyzer_memory")
    args = parser.parse_args()
    report = Report(args.markdown, "Analyzer memory across live sessions")
    classifier = accelerate(EyeClassifier.from_default())
    frame = np.full((360, 480, 3), 128, np.uint8)
    face = astronaut_face()
    frame[40 : 40 + face.shape[0], 80 : 80 + face.shape[1]] = face
    print(f"model loaded: {rss_mib():.0f} MiB resident\n")
    print("| sessions closed | resident MiB |\n| ---: | ---: |")
    for i in range(1, args.sessions + 1):
        analyzer = SessionAnalyzer(live_options(landmark_passes=8), classifier=classifier)
        for k in range(args.frames):
            analyzer.process(frame, k * 0.2, k)
        analyzer.finish()
        analyzer.result(video={"duration": args.frames * 0.2, "source": "live"})
        analyzer.close()
        if i % 5 == 0:
            print(f"| {i} | {rss_mib():.0f} |", flush=True)
    report.save()


if __name__ == "__main__":
    main()
