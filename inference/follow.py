"""Where followed faces are looked for between full scans (faces.MediaPipeFaces with `near`).

A tracked face is looked for in a square around its last box, cut from the full-resolution frame. In a
classroom the squares of neighbours overlap, and the detector's cost is per call (it shrinks every
input to 192x192), so neighbours' squares are joined into one square while each face in it stays at
least as large, relative to the square, as it is on a scan tile (`FaceScheduleConfig.follow_merge`).
Trade-off: a joined square gives the detector more context and fewer calls; a face in it is up to
`merge / margin` times smaller in the detector's input than in its own square.
"""

from __future__ import annotations

import heapq

from .records import Box


def follow_squares(
    boxes: list[Box], height: int, width: int, margin: float, merge: float = 0.0, floor: float = 128.0
) -> list[tuple[int, int, int, int]]:
    """The squares (x, y, w, h) followed faces are looked for in: `margin` x each box around it (at
    least `floor` px, the last scan's tile), moved inside the frame. Two squares become one square around both
    while its side is at most `merge` x the narrowest face in it (0: never), the pair with the smallest
    joint square first: one detector call for a row of students."""
    squares: dict[int, tuple[int, int, int, int]] = {}  # group -> its square, while it is one face's
    groups: dict[int, tuple[float, float, float, float, float]] = {}  # group -> x0, y0, x1, y1, narrowest face
    for k, box in enumerate(boxes):
        side = int(min(max(margin * max(box.w, box.h), floor), width, height))
        cx, cy = box.center
        squares[k] = (
            int(min(max(0, cx - side / 2), width - side)),
            int(min(max(0, cy - side / 2), height - side)),
            side,
            side,
        )
        groups[k] = (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2, box.w)
    limit = min(width, height)

    def joint(a, b) -> tuple[float, tuple]:
        both = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]), min(a[4], b[4]))
        return max(both[2] - both[0], both[3] - both[1]), both

    pairs = []  # heap of (joint side, group, group)
    if merge > 0:
        pairs = [(joint(groups[i], groups[j])[0], i, j) for i in groups for j in groups if i < j]
        heapq.heapify(pairs)
    while pairs:
        side, i, j = heapq.heappop(pairs)
        if i not in groups or j not in groups:
            continue  # one of them was joined to another since
        if side > min(max(merge * min(groups[i][4], groups[j][4]), floor), limit):
            continue
        new = max(groups) + 1
        groups[new] = joint(groups.pop(i), groups.pop(j))[1]
        squares.pop(i, None), squares.pop(j, None)
        for k in groups:
            if k != new:
                heapq.heappush(pairs, (joint(groups[k], groups[new])[0], k, new))
    out = []
    for k, (x0, y0, x1, y1, _) in groups.items():
        if k in squares:
            out.append(squares[k])
            continue
        side = round(max(x1 - x0, y1 - y0))
        out.append(
            (
                int(min(max(0, (x0 + x1 - side) / 2), width - side)),
                int(min(max(0, (y0 + y1 - side) / 2), height - side)),
                side,
                side,
            )
        )
    return out
