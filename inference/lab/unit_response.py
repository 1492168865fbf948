"""How the eye-region action units answer real expressions: per labelled episode type, each unit's
median over the episode's frames (units are already changes from the track's calm), against its
spread on calm spans. Read on the largest face of each analysed frame, as the benchmark scores.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from .benchmark import largest_faces, main_face

UNITS = ("au1", "au2", "au4", "au5", "au6", "au7", "au43")
EXPECTED = {  # FACS prototypes of the eye region (Ekman & Friesen); "other" holds squeezes, winks, brow flashes
    "surprise": "AU1+2+5",
    "angry": "AU4+7",
    "happy": "AU6",
    "sad": "AU1+4",
}


def unit_rows(clip: dict, frames: list[dict]) -> dict[str, list[list[float]]]:
    """Episode type (and "calm") -> per-frame unit vectors of the labelled face, eyes shown only."""
    face = main_face(clip)
    largest = {f: r for f, r in largest_faces(frames).items() if (r.get("signals") or {}).get("units")}
    out: dict[str, list[list[float]]] = defaultdict(list)
    spans = [(e["label"], e["start"], e["end"]) for e in face["expressions"] if e["region_visible_in_eyes"]]
    spans += [("calm", a, b) for a, b in face["neutral"]]
    for label, start, end in spans:
        for f in range(start, end + 1):
            if f in largest:
                units = largest[f]["signals"]["units"]
                out[label].append([units[u] for u in UNITS])
    return out


def table(per_clip: list[dict[str, list[list[float]]]]) -> str:
    pooled: dict[str, list[list[float]]] = defaultdict(list)
    for rows in per_clip:
        for label, values in rows.items():
            pooled[label] += values
    head = "| frames of | n | expected | " + " | ".join(u.upper() for u in UNITS) + " |"
    out = [head, "| --- | ---: | --- |" + " ---: |" * len(UNITS)]
    calm = np.array(pooled.get("calm") or [[np.nan] * len(UNITS)])
    spread = 1.4826 * np.median(np.abs(calm - np.median(calm, axis=0)), axis=0)
    for label in sorted(pooled, key=lambda k: (k == "calm", k)):
        values = np.array(pooled[label])
        med = np.median(values, axis=0)
        cells = " | ".join(f"{m * 100:+.1f}" for m in med)
        out.append(f"| {label} | {len(values)} | {EXPECTED.get(label, '')} | {cells} |")
    out.append("| calm spread (1.4826 MAD) | | | " + " | ".join(f"{s * 100:.1f}" for s in spread) + " |")
    return "\n".join(out)
