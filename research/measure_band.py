"""Measure where brows and eyes lie in FER2013's 48x48 faces (to choose the eye band's rows).

Runs MediaPipe Face Mesh on upscaled Training faces and prints percentiles of the rows (in the
48x48 frame) of the brow tops, the lower eyelids, the nose tip and the upper lip. Usage:
    python research/measure_band.py ../shared/data/fer2013/fer2013.csv.gz --faces 400 [--json OUT]
"""

import argparse
import json

import numpy as np

BROWS = [70, 63, 105, 66, 107, 336, 296, 334, 293, 300]
EYES = [
    33,
    7,
    163,
    144,
    145,
    153,
    154,
    155,
    133,
    173,
    157,
    158,
    159,
    160,
    161,
    246,
    362,
    382,
    381,
    380,
    374,
    373,
    390,
    249,
    263,
    466,
    388,
    387,
    386,
    385,
    384,
    398,
]
SCALE = 4


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("fer2013")
    parser.add_argument("--faces", type=int, default=400)
    parser.add_argument("--json")
    args = parser.parse_args()
    import cv2
    import mediapipe as mp

    from inference.lab.fer2013 import load_fer2013

    faces = load_fer2013(args.fer2013, cache_dir="data").split("Training")
    chosen = np.random.default_rng(0).choice(len(faces), args.faces, replace=False)
    rows = {"brow_top": [], "eye_bottom": [], "eye_centre": [], "nose_tip": [], "upper_lip": []}
    with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1) as mesh:
        for i in chosen:
            big = cv2.resize(faces.images[i], None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_CUBIC)
            found = mesh.process(cv2.cvtColor(big, cv2.COLOR_GRAY2RGB)).multi_face_landmarks
            if not found:
                continue
            y = np.array([p.y for p in found[0].landmark]) * 48
            rows["brow_top"].append(y[BROWS].min())
            rows["eye_bottom"].append(y[EYES].max())
            rows["eye_centre"].append(y[EYES].mean())
            rows["nose_tip"].append(y[1])
            rows["upper_lip"].append(y[13])
    result = {
        "faces_tried": args.faces,
        "faces_found": len(rows["brow_top"]),
        **{k: {f"p{q}": round(float(np.percentile(v, q)), 1) for q in (2, 5, 50, 95, 98)} for k, v in rows.items()},
    }
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
