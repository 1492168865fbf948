"""Faces and landmarks: MediaPipe 0.10.21 Face Detection (full range) + Face Mesh with iris.

The detector finds every face it can (optionally on overlapping tiles, for small CCTV faces); the
mesh gives 478 landmarks (iris included) for the faces big enough to hold them. Detections the mesh
did not cover are kept as landmark-less faces: counted as present, never guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .records import Box

# Face Mesh indices. "img_left" = the eye on the image's left side (the subject's right eye).
EYE_RING_IMG_LEFT = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
EYE_RING_IMG_RIGHT = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
IRIS_IMG_LEFT, IRIS_IMG_RIGHT = 468, 473
NUM_LANDMARKS = 478

# Below this inter-ocular distance (frame pixels) the eyes are flagged `eyes_unreadable`.
# Measured with `bench/alignment_gap.py sweep` (see bench/README-section.md): the Face Mesh eye
# centres drift by more than 10% of the inter-ocular distance and the aligned band loses its
# agreement with the full-resolution band below this size.
MIN_INTER_OCULAR = 12.0


@dataclass
class Face:
    """One face found in one frame. Numbers only; `landmarks` is (478, 3) in pixels (z ~ x scale).

    Points (eyes, landmarks) use OpenCV's pixel-centre convention: pixel (0, 0) is centred at 0.0.
    """

    box: Box
    score: float
    eyes: np.ndarray  # (2, 2): centre of the image-left eye, centre of the image-right eye
    landmarks: np.ndarray | None = None

    @property
    def inter_ocular(self) -> float:
        return float(np.hypot(*(self.eyes[1] - self.eyes[0])))


def eye_centres(landmarks: np.ndarray) -> np.ndarray:
    """Mean of each eye's 16-point contour (not the iris, which moves with gaze): (2, 2)."""
    return np.stack(
        [landmarks[list(EYE_RING_IMG_LEFT), :2].mean(axis=0), landmarks[list(EYE_RING_IMG_RIGHT), :2].mean(axis=0)]
    )


def _tiles(height: int, width: int, grid: tuple[int, int], overlap: float = 0.25):
    """Overlapping tiles (x, y, w, h) covering the frame in a grid of (columns, rows)."""
    nx, ny = grid
    tw, th = min(width, int(width / nx * (1 + overlap))), min(height, int(height / ny * (1 + overlap)))
    for j in range(ny):
        for i in range(nx):
            x = int(min(max(0, (i + 0.5) * width / nx - tw / 2), width - tw))
            y = int(min(max(0, (j + 0.5) * height / ny - th / 2), height - th))
            yield x, y, tw, th


def suppress(faces: list[Face], iou: float = 0.3, containment: float = 0.6) -> list[Face]:
    """Greedy non-maximum suppression: drop a face overlapping (or mostly inside) a better one."""
    kept: list[Face] = []
    for face in sorted(faces, key=lambda f: -f.score):
        if all(not _same(face.box, k.box, iou, containment) for k in kept):
            kept.append(face)
    return kept


def _same(a: Box, b: Box, iou: float, containment: float) -> bool:
    if a.iou(b) > iou:
        return True
    ix = max(0.0, min(a.x + a.w, b.x + b.w) - max(a.x, b.x))
    iy = max(0.0, min(a.y + a.h, b.y + b.h) - max(a.y, b.y))
    smaller = min(a.area, b.area)
    return smaller > 0 and ix * iy / smaller > containment


class MediaPipeFaces:
    """Callable step: BGR frame -> list[Face].

    tiles: (columns, rows) grid of overlapping tiles run through the detector in addition to the
    full frame (1x1 = full frame only). 3x2 finds far more of the 10-20 px CCTV faces.
    video: Face Mesh in tracking mode (landmarks follow the previous frame; cheaper); use False for
    unrelated still images.
    """

    def __init__(
        self,
        tiles: tuple[int, int] = (1, 1),
        max_faces: int = 4,
        min_confidence: float = 0.5,
        video: bool = True,
    ) -> None:
        import mediapipe as mp  # heavy import, only when a detector is built

        self.tiles = tuple(tiles)
        self._detector = mp.solutions.face_detection.FaceDetection(
            model_selection=1, min_detection_confidence=min_confidence
        )
        self._mesh = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=not video,
            max_num_faces=max_faces,
            refine_landmarks=True,
            min_detection_confidence=min_confidence,
            min_tracking_confidence=0.5,
        )

    def close(self) -> None:
        self._detector.close()
        self._mesh.close()

    def __enter__(self) -> "MediaPipeFaces":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __call__(self, frame_bgr: np.ndarray) -> list[Face]:
        rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        return merge(self.mesh(rgb), self.detect(rgb))

    def detect(self, rgb: np.ndarray) -> list[Face]:
        """Face Detection (full-range model) on the frame and on each tile, then NMS."""
        height, width = rgb.shape[:2]
        regions = [(0, 0, width, height)]
        if self.tiles != (1, 1):
            regions += list(_tiles(height, width, self.tiles))
        found: list[Face] = []
        for x0, y0, w, h in regions:
            crop = rgb if (w, h) == (width, height) else np.ascontiguousarray(rgb[y0 : y0 + h, x0 : x0 + w])
            for det in self._detector.process(crop).detections or []:
                rel = det.location_data.relative_bounding_box
                box = Box(x0 + rel.xmin * w, y0 + rel.ymin * h, rel.width * w, rel.height * h)
                kp = det.location_data.relative_keypoints
                eyes = np.array([[x0 + kp[i].x * w - 0.5, y0 + kp[i].y * h - 0.5] for i in (0, 1)])
                eyes = eyes[np.argsort(eyes[:, 0])]
                found.append(Face(box=box, score=float(det.score[0]), eyes=eyes))
        return suppress(found)

    def mesh(self, rgb: np.ndarray) -> list[Face]:
        """Face Mesh with iris: 478 landmarks per face, in pixels."""
        height, width = rgb.shape[:2]
        faces = []
        for lms in self._mesh.process(rgb).multi_face_landmarks or []:
            pts = np.array([(p.x * width, p.y * height, p.z * width) for p in lms.landmark], dtype=np.float32)
            pts[:, :2] -= 0.5  # normalised coords count pixel edges; OpenCV warps use pixel centres
            faces.append(Face(box=Box.from_points(pts), score=1.0, eyes=eye_centres(pts), landmarks=pts))
        return faces


def merge(meshed: list[Face], detected: list[Face], min_iou: float = 0.15) -> list[Face]:
    """One Face per person: mesh faces take the detector's score; unmatched detections are kept."""
    out: list[Face] = []
    free = list(detected)
    for face in meshed:
        best = max(free, key=lambda d: d.box.iou(face.box), default=None)
        if best is not None and (best.box.iou(face.box) >= min_iou or _inside(best.box, face.box)):
            free.remove(best)
            face.score = best.score
        out.append(face)
    return out + free


def _inside(inner: Box, outer: Box) -> bool:
    cx, cy = inner.center
    return outer.x <= cx <= outer.x + outer.w and outer.y <= cy <= outer.y + outer.h
