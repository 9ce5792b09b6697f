"""Training digits drawn the way students draw on the app's canvas: per-digit stroke skeletons in
several styles, smooth Catmull-Rom curves through jittered control points, random slant, rotation,
aspect, size, position and a smooth elastic warp of the points, painted with a random pen width
and preprocessed as the page does (``cnnviz.imaging.canvas``). Seeded and deterministic. The evaluation
drawings of ``cnnviz.data.drawings`` come from a different model; this one never produces them.
"""

from __future__ import annotations

import numpy as np

from cnnviz.imaging.canvas import CANVAS_SIDE, MAX_WIDTH, MIN_WIDTH, to_inputs

__all__ = ["STYLES", "draw", "make_strokes", "strokes_dataset"]

# A skeleton is a tuple of strokes; a stroke a tuple of control points (x, y) in a frame where the
# digit is 1 tall (y = 0 top, 1 bottom) and about 0.6 wide; (x, y, 1) marks a corner, where the
# curve may turn sharply. Control points are jittered per drawing, so shapes are only the mean.
Point = tuple[float, ...]
Skeleton = tuple[tuple[Point, ...], ...]


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, k: int) -> tuple:
    """k control points on an ellipse from angle ``start`` to ``end`` (degrees, 0 = right,
    90 = down: screen coordinates), in that direction."""
    a = np.radians(np.linspace(start, end, k))
    return tuple((float(cx + rx * np.cos(t)), float(cy + ry * np.sin(t))) for t in a)


_RIGHT_BUMP = ((0.32, 0.38), (0.52, 0.5), (0.56, 0.72), (0.4, 0.94), (0.2, 0.98), (0.04, 0.88))
_NINE_LOOP = _arc(0.3, 0.24, 0.24, 0.22, -10, -370, 9)

STYLES: dict[int, dict[str, Skeleton]] = {
    0: {"oval": (_arc(0.3, 0.5, 0.28, 0.48, 270, -100, 11),),
        "clockwise": (_arc(0.3, 0.5, 0.26, 0.48, 240, 600, 11),),
        "round": (_arc(0.3, 0.5, 0.4, 0.46, 280, -70, 11),)},
    1: {"bar": (((0.3, 0.0), (0.3, 1.0)),),
        "flag": (((0.1, 0.22), (0.3, 0.0, 1), (0.3, 1.0)),),
        "flag_base": (((0.12, 0.2), (0.3, 0.0, 1), (0.3, 1.0)), ((0.08, 1.0), (0.52, 1.0)))},
    2: {"curved": (((0.04, 0.24), (0.14, 0.06), (0.32, 0.0), (0.5, 0.08), (0.55, 0.26),
                    (0.44, 0.46), (0.02, 1.0, 1), (0.6, 0.98)),),
        "looped": (((0.05, 0.22), (0.18, 0.04), (0.38, 0.01), (0.53, 0.16), (0.48, 0.42),
                    (0.2, 0.78), (0.06, 0.96), (0.18, 1.0), (0.24, 0.9), (0.12, 0.86),
                    (0.3, 0.94), (0.6, 1.0)),),
        "angular": (((0.04, 0.12), (0.3, 0.0), (0.54, 0.14), (0.48, 0.36), (0.0, 1.0, 1),
                     (0.6, 1.0)),)},
    3: {"round": (((0.06, 0.12), (0.3, 0.0), (0.52, 0.12), (0.48, 0.34), (0.22, 0.47, 1),
                   (0.5, 0.6), (0.56, 0.8), (0.36, 0.99), (0.04, 0.9)),),
        "flat_top": (((0.04, 0.0), (0.56, 0.0, 1), (0.24, 0.4, 1), (0.5, 0.56), (0.56, 0.78),
                      (0.36, 0.99), (0.04, 0.9)),),
        "smooth": (((0.04, 0.16), (0.26, 0.0), (0.5, 0.1), (0.46, 0.36), (0.26, 0.48),
                    (0.52, 0.62), (0.54, 0.84), (0.3, 1.0), (0.02, 0.86)),)},
    4: {"open": (((0.1, 0.0), (0.04, 0.6, 1), (0.6, 0.6)), ((0.46, 0.02), (0.46, 1.0))),
        "closed": (((0.46, 1.0), (0.46, 0.0, 1), (0.0, 0.68, 1), (0.6, 0.68)),),
        "closed_two": (((0.42, 0.0), (0.02, 0.66, 1), (0.6, 0.66)), ((0.46, 0.2), (0.46, 1.0)))},
    5: {"two_strokes": (((0.1, 0.0), (0.06, 0.42, 1)) + _RIGHT_BUMP, ((0.1, 0.0), (0.56, 0.0))),
        "one_stroke": (((0.56, 0.0), (0.1, 0.0, 1), (0.06, 0.42, 1)) + _RIGHT_BUMP,)},
    6: {"curved": (((0.5, 0.04), (0.3, 0.0), (0.12, 0.18), (0.03, 0.52), (0.1, 0.86),
                    (0.3, 1.0), (0.5, 0.88), (0.52, 0.66), (0.34, 0.54), (0.12, 0.6),
                    (0.05, 0.72)),),
        "straight": (((0.46, 0.0), (0.08, 0.64)) + _arc(0.3, 0.77, 0.24, 0.22, 180, -180, 9),)},
    7: {"plain": (((0.0, 0.0), (0.6, 0.0, 1), (0.2, 1.0)),),
        "bar": (((0.0, 0.0), (0.6, 0.0, 1), (0.2, 1.0)), ((0.12, 0.52), (0.52, 0.5))),
        "curved_stem": (((0.0, 0.02), (0.6, 0.0, 1), (0.42, 0.36), (0.3, 1.0)),),
        "hook": (((0.0, 0.14), (0.02, 0.0, 1), (0.6, 0.0, 1), (0.24, 1.0)),)},
    8: {"figure": (((0.5, 0.1), (0.3, 0.0), (0.1, 0.1), (0.12, 0.3), (0.3, 0.45), (0.5, 0.6),
                    (0.56, 0.82), (0.3, 1.0), (0.05, 0.82), (0.1, 0.6), (0.3, 0.45),
                    (0.48, 0.3), (0.5, 0.1)),),
        "two_loops": (_arc(0.3, 0.23, 0.2, 0.22, 270, -90, 9),
                      _arc(0.3, 0.72, 0.27, 0.27, 270, -90, 9)),
        "from_middle": (((0.3, 0.46), (0.08, 0.26), (0.3, 0.0), (0.5, 0.24), (0.3, 0.46),
                         (0.06, 0.72), (0.3, 1.0), (0.54, 0.74), (0.3, 0.46)),)},
    9: {"straight_tail": (_NINE_LOOP + ((0.54, 0.2, 1), (0.5, 1.0)),),
        "curved_tail": (_NINE_LOOP + ((0.54, 0.2, 1), (0.52, 0.6), (0.4, 0.9), (0.16, 1.0)),),
        "two_strokes": (_arc(0.28, 0.24, 0.24, 0.22, 0, 360, 9), ((0.54, 0.04), (0.52, 1.0)))},
}

JITTER = 0.025  # control point noise, in digit heights
WARP = 0.04  # elastic displacement, in digit heights
SLANT = (-0.25, 0.45)  # x shift per unit of height above the middle: most people lean right
ROTATION = 10.0  # degrees either way
ASPECT = (0.75, 1.3)  # width multiplier
HEIGHT = (0.35, 0.9)  # digit height as a fraction of the canvas
_PER_SEGMENT = 12  # curve points between two control points
_MARGIN = 2.0  # pixels kept free at the canvas border, beyond half the pen


def _spline(ctrl: np.ndarray) -> np.ndarray:
    """A uniform Catmull-Rom curve through the (k, 2) control points, as (m, 2) points."""
    if len(ctrl) < 3:
        t = np.linspace(0, 1, _PER_SEGMENT + 1)[:, None]
        return ctrl[:1] + t * (ctrl[-1:] - ctrl[:1])
    p = np.concatenate([ctrl[:1], ctrl, ctrl[-1:]])  # repeated ends: the end tangents are chords
    t = np.linspace(0, 1, _PER_SEGMENT, endpoint=False)[:, None, None]  # (s, 1, 1)
    p0, p1, p2, p3 = p[:-3], p[1:-2], p[2:-1], p[3:]  # (k-1, 2) each: one row per segment
    m1, m2 = (p2 - p0) / 2, (p3 - p1) / 2
    h00, h10 = 2 * t**3 - 3 * t**2 + 1, t**3 - 2 * t**2 + t
    h01, h11 = -2 * t**3 + 3 * t**2, t**3 - t**2
    curve = h00 * p1 + h10 * m1 + h01 * p2 + h11 * m2  # (s, k-1, 2)
    return np.concatenate([curve.transpose(1, 0, 2).reshape(-1, 2), ctrl[-1:]])


def _stroke(points: tuple[Point, ...], rng: np.random.Generator) -> np.ndarray:
    """One stroke's jittered control points, splined piece by piece between corners."""
    ctrl = np.array([p[:2] for p in points]) + rng.normal(0, JITTER, (len(points), 2))
    corners = [0] + [i for i, p in enumerate(points) if len(p) > 2] + [len(points) - 1]
    pieces = [_spline(ctrl[a:b + 1]) for a, b in zip(corners, corners[1:]) if b > a]
    return np.concatenate([pieces[0]] + [piece[1:] for piece in pieces[1:]])


def _warp(strokes: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """A smooth random displacement of every point (three plane waves), so the pen keeps its
    width: warping the painted pixels instead would thin and thicken the strokes."""
    angle = rng.uniform(0, 2 * np.pi, 3)
    waves = rng.uniform(1.0, 3.0, 3)[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1)  # (3, 2)
    phase = rng.uniform(0, 2 * np.pi, 3)
    push = rng.uniform(0, WARP) * rng.normal(0, 1, (3, 2)) / np.sqrt(3)  # each wave's direction
    return [s + np.sin(2 * np.pi * s @ waves.T + phase) @ push for s in strokes]


def _pose(strokes: list[np.ndarray], width: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Slant, rotate, stretch, size and place the digit on the canvas, fully inside it."""
    lo = np.min([s.min(0) for s in strokes], axis=0)
    hi = np.max([s.max(0) for s in strokes], axis=0)
    centre = (lo + hi) / 2
    theta = np.radians(rng.uniform(-ROTATION, ROTATION))
    c, s = np.cos(theta), np.sin(theta)
    lin = np.array([[c, -s], [s, c]]) @ np.array([[rng.uniform(*ASPECT), -rng.uniform(*SLANT)],
                                                  [0.0, 1.0]])  # x' = a x - slant y, then rotate
    moved = [(p - centre) @ lin.T for p in strokes]
    lo = np.min([m.min(0) for m in moved], axis=0)
    hi = np.max([m.max(0) for m in moved], axis=0)
    room = CANVAS_SIDE - width - 2 * _MARGIN
    scale = min(rng.uniform(*HEIGHT) * CANVAS_SIDE / max(hi[1] - lo[1], 1e-6),
                room / max(hi[0] - lo[0], 1e-6), room / max(hi[1] - lo[1], 1e-6))
    size = (hi - lo) * scale
    corner = width / 2 + _MARGIN + rng.uniform(0, 1, 2) * (room - size)  # the box's top-left
    return [(m - lo) * scale + corner for m in moved]


def draw(digit: int, style: str, rng: np.random.Generator) -> tuple[list[np.ndarray], int]:
    """One drawing of ``digit`` in ``style``: its strokes in canvas pixels and the pen width."""
    width = int(rng.integers(MIN_WIDTH, MAX_WIDTH + 1))
    strokes = _warp([_stroke(st, rng) for st in STYLES[digit][style]], rng)
    return _pose(strokes, width, rng), width


def strokes_dataset(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n drawings as model inputs uint8 (n, 1, 28, 28) and balanced labels int64 (n,)."""
    y = rng.permutation(np.arange(n, dtype=np.int64) % 10)
    drawings = []
    for digit in y:
        names = sorted(STYLES[int(digit)])
        drawings.append(draw(int(digit), names[rng.integers(len(names))], rng))
    return to_inputs(drawings), y


def make_strokes(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n drawn digits x uint8 (n, 1, 28, 28), white on black as the model sees them, and labels y.

    Style, control points, warp, slant, rotation, aspect, size, position and pen width are random;
    classes are balanced; the same seed gives the same images.
    """
    return strokes_dataset(n, np.random.default_rng(seed))
