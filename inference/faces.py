"""Faces and landmarks: MediaPipe 0.10.21 Face Detection (full range) + Face Mesh with iris.

The detector finds every face it can (optionally on overlapping tiles, for small CCTV faces); the
mesh gives 478 landmarks (iris included) for the faces big enough to hold them. Detections the mesh
did not cover are kept as landmark-less faces: counted as present, never guessed at.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Self

import cv2
import numpy as np

from .follow import follow_squares
from .records import Box

# Face Mesh indices. "img_left" = the eye on the image's left side (the subject's right eye).
EYE_RING_IMG_LEFT = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
EYE_RING_IMG_RIGHT = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
IRIS_IMG_LEFT, IRIS_IMG_RIGHT = 468, 473
NUM_LANDMARKS = 478

# Below this inter-ocular distance (frame pixels) the eyes are flagged `eyes_unreadable`: the
# smallest size at which landmarks, eye centres and the CNN's answers stay close to those of a large
# face (measured; docs/methods.md, "Small faces").
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


# px: "auto" tiles are about this big, so small classroom faces reach a size the detector finds
# (docs/methods.md, "Faces and landmarks")
AUTO_TILE = 128
# px: a fine "auto" scan adds tiles this big on frames big enough for two: 128 px tiles cut the 100 px
# faces of a 4K room apart, and the full frame shrinks them to 5 px for the detector
LARGE_TILE = 4 * AUTO_TILE
# A face wider than this fraction of the frame makes it a close-up (webcam, selfie, speaker): "auto"
# tiles then rest until it is gone, since a close-up has no small faces to find, only background that
# tiles would take for faces.
CLOSE_UP = 0.15


def fine_tile(height: int, width: int, fine_area: float = 0.0) -> float:
    """The smallest "auto" tile of a frame (px): AUTO_TILE, or on a frame of more than `fine_area` pixels
    AUTO_TILE x the square root of its area over `fine_area`, so the scan costs what a frame of
    `fine_area` pixels costs and finds the faces that frame would show (0: always AUTO_TILE)."""
    if not fine_area or height * width <= fine_area:
        return float(AUTO_TILE)
    return AUTO_TILE * (height * width / fine_area) ** 0.5


def auto_grid(height: int, width: int, tile: float = AUTO_TILE) -> tuple[int, int]:
    """(columns, rows) for tiles of about `tile` px: 5x3 for 640x352 CCTV at AUTO_TILE."""
    return max(1, round(width / tile)), max(1, round(height / tile))


def to_pixels(landmark_list, width: int, height: int) -> np.ndarray:
    """MediaPipe normalised landmarks -> (N, 3) pixels; z is scaled like x (MediaPipe's convention).
    Normalised coordinates count pixel edges; OpenCV warps use pixel centres, hence the -0.5."""
    pts = np.array([(p.x * width, p.y * height, p.z * width) for p in landmark_list.landmark], dtype=np.float32)
    pts[:, :2] -= 0.5
    return pts


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
    full frame (1x1 = full frame only), or "auto" (tiles of about AUTO_TILE px, `auto_grid`). More
    tiles find smaller faces and cost more detector time (docs/methods.md).
    video: Face Mesh in tracking mode (landmarks follow the previous frame; cheaper); use False for
    unrelated still images.
    crop_min_inter_ocular: a detected face the full-frame mesh missed gets a second chance, the
    mesh run on a 192x192 crop around it, when its detector eye distance is at least this (px).
    The full-frame mesh (short-range internal detector) misses small faces. A place where that
    retry failed (a profile, a hand over the face) is not retried for `retry_after` calls, since
    such retries mostly fail again. Likewise, in video mode a full-frame mesh that found nothing
    (faces too small for its detector: a wasted call) rests for `retry_after` calls; detected faces
    still get the crop mesh meanwhile. Resting saves most mesh calls for a few landmarked faces
    lost (docs/methods.md).
    retries: False leaves the crop mesh to the caller (`SessionAnalyzer` rotates it over tracked faces,
    inference/schedule.py); True retries up to `max_faces` faces in detection order, for still images.
    tile_per_face: "auto" tiles after a scan that found faces are `tile_per_face` x the smallest face
    found (never under AUTO_TILE), so a 4K room of 100 px faces is not searched in 128 px tiles; a call
    with `fine` uses AUTO_TILE whatever was found, so a face smaller than all those found is found at the
    next fine scan (inference/schedule.py says when). 0 = always AUTO_TILE.
    fine_area: on a frame of more pixels than this, the fine tile is AUTO_TILE scaled up with the frame
    (`fine_tile`), and no scan's tiles are smaller; 0 = AUTO_TILE on every frame.
    near (a call's argument): the boxes of the faces being followed; the detector then looks on the full
    frame and in a square of `follow_margin` x each box around it (at least the last scan's tile, the
    scale the scan found it at), not on every tile, so a frame costs what its faces cost
    (inference/schedule.py says when).
    follow_merge: neighbouring squares of followed faces are looked in as one while it is at most
    `follow_merge` x the smallest face in it (`follow_squares`); 0 = one square per face.
    threads: MediaPipe's graphs run single-threaded and release the GIL, so with 2 the full-frame
    mesh and the detector (or two halves of the tiles, each half with its own detector) run side by
    side, faster on 2+ cores. Same faces, same order as with 1.
    """

    def __init__(
        self,
        tiles: tuple[int, int] | str = (1, 1),
        max_faces: int = 4,
        min_confidence: float = 0.5,
        video: bool = True,
        crop_min_inter_ocular: float = MIN_INTER_OCULAR,
        retry_after: int = 3,
        threads: int = 2,
        retries: bool = True,
        follow_margin: float = 4.0,
        follow_merge: float = 0.0,
        tile_per_face: float = 0.0,
        fine_area: float = 0.0,
    ) -> None:
        import mediapipe as mp  # heavy import, only when a detector is built

        if tiles != "auto" and (len(tiles) != 2 or min(tiles) < 1):
            raise ValueError(f"tiles must be 'auto' or (columns, rows) >= 1, got {tiles!r}")
        if threads not in (1, 2):
            raise ValueError(f"threads must be 1 or 2, got {threads!r}")
        self.tiles = tiles if tiles == "auto" else tuple(tiles)
        # one detector per lane: a MediaPipe graph takes one image at a time
        self._detectors = [
            mp.solutions.face_detection.FaceDetection(model_selection=1, min_detection_confidence=min_confidence)
            for _ in range(threads)
        ]
        self._on_lane = threading.local()  # .crop_mesh: the lane's own crop mesh, in the lane's thread only
        self._lane = (
            ThreadPoolExecutor(1, thread_name_prefix="faces", initializer=self._lane_started) if threads > 1 else None
        )
        self._lane_crop_mesh = None
        self._mesh = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=not video,
            max_num_faces=max_faces,
            refine_landmarks=True,
            min_detection_confidence=min_confidence,
            min_tracking_confidence=0.5,
        )
        self._crop_mesh = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=True, max_num_faces=1, refine_landmarks=True, min_detection_confidence=min_confidence
        )
        self.max_faces, self.retries, self.follow_margin = max_faces, retries, follow_margin
        self._min_confidence = min_confidence
        self.tile_per_face, self.follow_merge, self.fine_area = tile_per_face, follow_merge, fine_area
        self._tile = 0.0  # "auto" tile size of the next scan that is not `fine` (0: the frame's fine tile)
        self.crop_min_inter_ocular = crop_min_inter_ocular
        self.retry_after = retry_after if video else 0  # still images are unrelated: always try
        self._failed: list[tuple[Box, int]] = []  # (box, calls left before a retry there)
        self._mesh_rest = 0  # calls left before the full-frame mesh runs again
        self._close_up = False  # the last frame showed a close-up face: "auto" tiles rest

    def _lane_started(self) -> None:
        self._on_lane.lane = True

    def close(self) -> None:
        if self._lane is not None:
            self._lane.shutdown(wait=True)
        if self._lane_crop_mesh is not None:
            self._lane_crop_mesh.close()
        for detector in self._detectors:
            detector.close()
        self._mesh.close()
        self._crop_mesh.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __call__(self, frame_bgr: np.ndarray, near: list[Box] | None = None, fine: bool = False) -> list[Face]:
        """The frame's faces: a scan of the full frame and its tiles (`fine`: "auto" tiles of AUTO_TILE),
        or with `near` the full frame and a square around each followed face."""
        rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        if fine:
            self._tile = 0.0
        regions = self.regions(*rgb.shape[:2], near=near)
        run_mesh = self._mesh_rest == 0
        self._mesh_rest = max(0, self._mesh_rest - 1)
        if self._lane is None:
            meshed_faces = self.mesh(rgb) if run_mesh else []
            detected = self.detect(rgb, regions)
        else:  # lane 2: the mesh and the odd regions; this thread: the even regions
            mine, theirs = regions[0::2], regions[1::2]

            def other_lane():
                return (self.mesh(rgb) if run_mesh else []), self._detect_regions(rgb, theirs, self._detectors[1])

            pending = self._lane.submit(other_lane)
            found_here = self._detect_regions(rgb, mine, self._detectors[0])
            meshed_faces, found_there = pending.result()
            order = {region: i for i, region in enumerate(regions)}  # region order, as with one thread
            detected = suppress([face for _, face in sorted(found_here + found_there, key=lambda rf: order[rf[0]])])
        if run_mesh and not meshed_faces:
            self._mesh_rest = self.retry_after
        faces = merge(meshed_faces, detected)
        self._close_up = any(face.box.w > CLOSE_UP * rgb.shape[1] for face in faces)
        if near is None:
            self._tile = self._next_tile(detected, fine_tile(*rgb.shape[:2], self.fine_area))
        if self.retries:
            self._retry(frame_bgr, faces)
        return faces

    def _retry(self, frame_bgr: np.ndarray, faces: list[Face]) -> None:
        """The crop mesh for detected faces the full-frame mesh missed, up to `max_faces` with landmarks."""
        meshed = sum(f.landmarks is not None for f in faces)
        self._failed = [(box, left - 1) for box, left in self._failed if left > 1]
        for face in faces:
            if meshed >= self.max_faces:
                break
            if face.landmarks is None and face.inter_ocular >= self.crop_min_inter_ocular:
                if any(face.box.iou(box) > 0.3 for box, _ in self._failed):
                    continue
                face.landmarks = self.mesh_crop(frame_bgr, face.box)
                if face.landmarks is not None:
                    face.eyes, meshed = eye_centres(face.landmarks), meshed + 1
                elif self.retry_after > 0:
                    self._failed.append((face.box, self.retry_after))

    def mesh_crop(self, frame_bgr: np.ndarray, box: Box, size: int = 192, margin: float = 2.0) -> np.ndarray | None:
        """Face Mesh on a square crop (`margin` x the box, resized to `size`) around one face of the BGR
        frame. Only the crop is converted to RGB (the same pixels as cropping a converted frame), so a
        large frame is not converted whole for a few faces."""
        cx, cy = box.center
        scale = size / (margin * max(box.w, box.h, 1.0))
        matrix = np.array([[scale, 0, size / 2 - scale * cx], [0, scale, size / 2 - scale * cy]])
        crop = cv2.warpAffine(frame_bgr, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        found = self._crop_graph().process(cv2.cvtColor(crop, cv2.COLOR_BGR2RGB)).multi_face_landmarks
        if not found:
            return None
        pts = to_pixels(found[0], size, size)
        pts[:, :2] = (pts[:, :2] - matrix[:, 2]) / scale
        pts[:, 2] /= scale
        if not _inside(Box.from_points(pts), box):  # the crop's mesh must be the detected face
            return None
        return pts

    def mesh_crops(self, frame_bgr: np.ndarray, boxes: list[Box], margin: float = 2.0) -> list[np.ndarray | None]:
        """`mesh_crop` for each box, every second one on the other lane (its own crop mesh) when there are
        two: the same landmarks in the same order, in about half the time on 2 cores."""
        if self._lane is None or len(boxes) < 2:
            return [self.mesh_crop(frame_bgr, box, margin=margin) for box in boxes]
        theirs = self._lane.submit(lambda: [self.mesh_crop(frame_bgr, box, margin=margin) for box in boxes[1::2]])
        mine = [self.mesh_crop(frame_bgr, box, margin=margin) for box in boxes[0::2]]
        found = [None] * len(boxes)
        found[0::2], found[1::2] = mine, theirs.result()
        return found

    def _crop_graph(self):
        """The crop mesh of the calling thread: a MediaPipe graph takes one image at a time."""
        if not getattr(self._on_lane, "lane", False):
            return self._crop_mesh
        if self._lane_crop_mesh is None:
            import mediapipe as mp

            self._lane_crop_mesh = mp.solutions.face_mesh.FaceMesh(
                static_image_mode=True,
                max_num_faces=1,
                refine_landmarks=True,
                min_detection_confidence=self._min_confidence,
            )
        return self._lane_crop_mesh

    def regions(self, height: int, width: int, near: list[Box] | None = None) -> list[tuple[int, int, int, int]]:
        """(x, y, w, h) of the whole frame, then of each tile (or, with `near`, of each followed face's
        square; a close-up's square would be the whole frame again)."""
        whole = [(0, 0, width, height)]
        smallest = fine_tile(height, width, self.fine_area)
        tile = max(self._tile, smallest)
        grid = auto_grid(height, width, tile) if self.tiles == "auto" else self.tiles
        if (self.tiles == "auto" and self._close_up) or grid == (1, 1):
            return whole
        if near is None:
            large = auto_grid(height, width, max(LARGE_TILE, 4 * smallest))
            fine = self.tiles == "auto" and tile == smallest and large != (1, 1)
            return whole + list(_tiles(height, width, grid)) + (list(_tiles(height, width, large)) if fine else [])
        boxes = [box for box in near if box.w <= CLOSE_UP * width]
        return whole + follow_squares(boxes, height, width, self.follow_margin, self.follow_merge, tile)

    def _next_tile(self, detected: list[Face], smallest: float) -> float:
        """The "auto" tile size of the next scan, from the faces this scan found (never under `smallest`)."""
        if not self.tile_per_face or not detected:
            return smallest
        return max(smallest, self.tile_per_face * min(face.box.w for face in detected))

    def detect(self, rgb: np.ndarray, regions: list[tuple[int, int, int, int]] | None = None) -> list[Face]:
        """Face Detection (full-range model) on each region (default: the frame and each tile), then NMS."""
        regions = self.regions(*rgb.shape[:2]) if regions is None else regions
        return suppress([face for _, face in self._detect_regions(rgb, regions, self._detectors[0])])

    @staticmethod
    def _detect_regions(rgb: np.ndarray, regions, detector) -> list[tuple[tuple, Face]]:
        height, width = rgb.shape[:2]
        found = []
        for region in regions:
            x0, y0, w, h = region
            crop = rgb if (w, h) == (width, height) else np.ascontiguousarray(rgb[y0 : y0 + h, x0 : x0 + w])
            for det in detector.process(crop).detections or []:
                rel = det.location_data.relative_bounding_box
                box = Box(x0 + rel.xmin * w, y0 + rel.ymin * h, rel.width * w, rel.height * h)
                kp = det.location_data.relative_keypoints
                eyes = np.array([[x0 + kp[i].x * w - 0.5, y0 + kp[i].y * h - 0.5] for i in (0, 1)])
                eyes = eyes[np.argsort(eyes[:, 0])]
                found.append((region, Face(box=box, score=float(det.score[0]), eyes=eyes)))
        return found

    def mesh(self, rgb: np.ndarray) -> list[Face]:
        """Face Mesh with iris: 478 landmarks per face, in pixels."""
        height, width = rgb.shape[:2]
        faces = []
        for lms in self._mesh.process(rgb).multi_face_landmarks or []:
            pts = to_pixels(lms, width, height)
            # score: NaN (null in JSON) until merge() gives it the detector's confidence
            faces.append(Face(box=Box.from_points(pts), score=float("nan"), eyes=eye_centres(pts), landmarks=pts))
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
