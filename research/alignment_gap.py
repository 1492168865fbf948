"""Train/inference geometry checks on FER2013 PublicTest faces, through the real landmark path.

    python research/alignment_gap.py canonical [--n 500]          # measure geometry.CANONICAL
    python research/alignment_gap.py sweep [--n 200] [--weights W] # eyes_unreadable threshold
    python research/alignment_gap.py gap --weights W [--n 2000]    # fixed crop vs landmark path

canonical: upscale each 48x48 face 4x (bicubic), run Face Mesh (iris model), map the eye-contour
centres back to 48x48 coordinates and average them.
gap: accuracy of the eye CNN on the band cut at fixed rows from the 48x48 face (training path)
versus the band cut after Face Mesh + similarity alignment of the 4x-upscaled face (inference
path), on the same faces.
sweep: paste faces, scaled to a given inter-ocular distance (IOD), into a 640x360 frame and run the
crop mesh a detected face gets; report how often landmarks are found, the eye-centre error against
the 4x reference (in % of IOD), the correlation of the aligned band with the reference band (and,
with --weights, how often the CNN's answer matches the 4x one); the astronaut photo, scaled the
same way, goes through the full detector + mesh.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import cv2
import numpy as np

from inference.align import align_bands
from inference.classifier import load_classifier
from inference.faces import eye_centres
from inference.geometry import EYE_BAND

REPO = Path(__file__).resolve().parents[1]
FER = Path(os.environ.get("EYECLASS_SHARED_DIR", REPO.parent / "shared")) / "data" / "fer2013" / "fer2013.csv.gz"
UP = 4  # upscale factor for the landmark path


def public_test(n: int, seed: int = 0):
    from inference.lab.fer2013 import load_fer2013

    faces = load_fer2013(FER, cache_dir=Path(os.environ.get("TMPDIR", "/tmp")) / "eyeclass-cache").split("PublicTest")
    idx = np.random.default_rng(seed).permutation(len(faces))[:n] if n < len(faces) else np.arange(len(faces))
    return faces.images[idx], faces.labels[idx]


def upscale(face48: np.ndarray) -> np.ndarray:
    return cv2.resize(face48, None, fx=UP, fy=UP, interpolation=cv2.INTER_CUBIC)


def mesh_eyes(faces48: np.ndarray, pad: int = 32) -> np.ndarray:
    """(N, 2, 2) eye centres in the 4x image (pixel-centre coords), NaN where the mesh found no face."""
    from inference.faces import MediaPipeFaces

    out = np.full((len(faces48), 2, 2), np.nan)
    with MediaPipeFaces(video=False, max_faces=1) as finder:
        for i, face in enumerate(faces48):
            big = cv2.copyMakeBorder(upscale(face), pad, pad, pad, pad, cv2.BORDER_REPLICATE)
            found = finder.mesh(cv2.cvtColor(big, cv2.COLOR_GRAY2RGB))
            if found:
                out[i] = found[0].eyes - pad
    return out


def to_48(eyes_up: np.ndarray) -> np.ndarray:
    return (eyes_up - (UP - 1) / 2.0) / UP  # inverse of cv2.resize's pixel-centre mapping


def cmd_canonical(args) -> None:
    faces, _ = public_test(args.n)
    eyes = to_48(mesh_eyes(faces))
    ok = ~np.isnan(eyes[:, 0, 0])
    eyes = eyes[ok]
    mean, med, std = eyes.mean(axis=0), np.median(eyes, axis=0), eyes.std(axis=0)
    print(f"faces: {len(faces)}  landmarks found: {ok.sum()} ({ok.mean():.1%})")
    for name, k in (("left_eye (image left)", 0), ("right_eye (image right)", 1)):
        print(
            f"{name}: mean ({mean[k, 0]:.2f}, {mean[k, 1]:.2f})  median ({med[k, 0]:.2f}, {med[k, 1]:.2f})"
            f"  sd ({std[k, 0]:.2f}, {std[k, 1]:.2f})"
        )
    print(
        f"CANONICAL = CanonicalFrame(left_eye=({mean[0, 0]:.2f}, {mean[0, 1]:.2f}), "
        f"right_eye=({mean[1, 0]:.2f}, {mean[1, 1]:.2f}))"
    )


def cmd_gap(args) -> None:
    clf = load_classifier(args.weights)
    band = getattr(clf, "band", EYE_BAND)
    faces, labels = public_test(args.n)
    eyes = mesh_eyes(faces)
    ok = ~np.isnan(eyes[:, 0, 0])
    fixed = clf.predict_bands(band.cut(faces)).argmax(axis=1)
    bands = align_bands_each([upscale(f) for f in faces[ok]], eyes[ok], band)
    aligned = clf.predict_bands(bands).argmax(axis=1)
    acc_all = (fixed == labels).mean()
    acc_fixed = (fixed[ok] == labels[ok]).mean()
    acc_land = (aligned == labels[ok]).mean()
    print(f"PublicTest faces: {len(faces)}; Face Mesh found landmarks on {ok.sum()} ({ok.mean():.1%})")
    print(f"fixed-crop accuracy (all faces):          {acc_all:.4f}")
    print(f"fixed-crop accuracy (faces with mesh):    {acc_fixed:.4f}")
    print(f"landmark-path accuracy (same faces):      {acc_land:.4f}")
    print(f"landmark-path accuracy (all, misses wrong): {(aligned == labels[ok]).sum() / len(faces):.4f}")
    print(
        f"gap (fixed - landmark): {100 * (acc_fixed - acc_land):+.2f} points;"
        f" top-1 agreement {np.mean(fixed[ok] == aligned):.1%}"
    )


def align_bands_each(images: list[np.ndarray], eyes: np.ndarray, band) -> np.ndarray:
    return (
        np.concatenate([align_bands(img, [e], band) for img, e in zip(images, eyes)])
        if len(images)
        else (np.empty((0, band.height, band.width), np.uint8))
    )


def _paste(face: np.ndarray, rng) -> tuple[np.ndarray, tuple[int, int]]:
    """A 640x360 (or larger) grey-noise frame with `face` (edges softened by replicate padding) in
    the middle."""
    pad = max(2, face.shape[0] // 3)
    padded = cv2.copyMakeBorder(face, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    height, width = max(360, padded.shape[0] + 8), max(640, padded.shape[1] + 8)
    frame = np.clip(rng.normal(110, 6, (height, width)), 0, 255).astype(np.uint8)
    y0, x0 = (height - padded.shape[0]) // 2, (width - padded.shape[1]) // 2
    frame[y0 : y0 + padded.shape[0], x0 : x0 + padded.shape[1]] = padded
    return frame, (x0 + pad, y0 + pad)


def cmd_sweep(args) -> None:
    """Per IOD: FER faces through the crop mesh (the path a detected small face takes), and the
    astronaut photo through the full detector (auto tiles) + mesh."""
    from skimage import data

    from inference.faces import MediaPipeFaces
    from inference.records import Box

    faces, labels = public_test(args.n, seed=1)
    ref_eyes = mesh_eyes(faces)
    keep = ~np.isnan(ref_eyes[:, 0, 0])
    faces, labels, ref_eyes = faces[keep], labels[keep], ref_eyes[keep]
    ref_bands = align_bands_each([upscale(f) for f in faces], ref_eyes, EYE_BAND)
    clf = load_classifier(args.weights) if args.weights else None
    ref_top = clf.predict_bands(ref_bands).argmax(1) if clf else None
    astro = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    rng = np.random.default_rng(2)
    head = "| IOD px | FER: landmarks | eye error (% IOD) | band corr | astronaut: detected, landmarks, eye error |"
    print(head + (" CNN agrees with 4x | accuracy |" if clf else ""))
    print("|---|---|---|---|---|" + ("---|---|" if clf else ""))
    with MediaPipeFaces(video=False, max_faces=1, crop_min_inter_ocular=0, tiles="auto") as finder:
        astro_ref = finder(astro)[0].eyes
        for iod in args.iods:
            land, errs, corrs, agree, correct = 0, [], [], [], []
            for k, (face, eyes_up) in enumerate(zip(faces, ref_eyes)):
                f = iod / float(np.hypot(*(eyes_up[1] - eyes_up[0])))
                small = cv2.resize(upscale(face), None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
                frame, (x0, y0) = _paste(small, rng)
                box = Box(x0, y0, small.shape[1], small.shape[0])
                pts = finder.mesh_crop(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR), box)
                if pts is None:
                    continue
                land += 1
                eyes = eye_centres(pts)
                truth = (eyes_up + 0.5) * f - 0.5 + [x0, y0]
                errs.append(np.abs(eyes - truth).max() / iod)
                band = align_bands(frame, [eyes], EYE_BAND)
                corrs.append(np.corrcoef(band.ravel().astype(np.float32), ref_bands[k].ravel())[0, 1])
                if clf:
                    top = clf.predict_bands(band).argmax(1)[0]
                    agree.append(top == ref_top[k])
                    correct.append(top == labels[k])
            fa = iod / float(np.hypot(*(astro_ref[1] - astro_ref[0])))
            small = cv2.resize(astro, None, fx=fa, fy=fa, interpolation=cv2.INTER_AREA)
            canvas = np.full((360, 640, 3), 110, np.uint8)
            h, w = min(360, small.shape[0]), min(640, small.shape[1])
            canvas[:h, :w] = small[:h, :w]
            found = [x for x in finder(canvas) if x.inter_ocular > 0]
            a_land = [x for x in found if x.landmarks is not None]
            a_err = (np.abs(a_land[0].eyes - ((astro_ref + 0.5) * fa - 0.5)).max() / iod) if a_land else float("nan")
            row = (
                f"| {iod:g} | {land / len(faces):.0%} | {100 * _med(errs):.1f} | {_med(corrs):.3f} | "
                f"{'yes' if found else 'no'}, {'yes' if a_land else 'no'}, {100 * a_err:.1f}% |"
            )
            if clf:
                row += f" {_med(agree, np.mean):.0%} | {_med(correct, np.mean):.3f} |"
            print(row, flush=True)


def _med(values, fn=np.median) -> float:
    return float(fn(values)) if len(values) else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("canonical")
    p.add_argument("--n", type=int, default=500)
    p = sub.add_parser("gap")
    p.add_argument("--weights", required=True)
    p.add_argument("--n", type=int, default=2000)
    p = sub.add_parser("sweep")
    p.add_argument("--weights")
    p.add_argument("--n", type=int, default=150)
    p.add_argument("--iods", type=float, nargs="+", default=[5, 7, 9, 12, 15, 20, 30])
    args = parser.parse_args()
    {"canonical": cmd_canonical, "gap": cmd_gap, "sweep": cmd_sweep}[args.cmd](args)


if __name__ == "__main__":
    main()
