"""Evaluation drawings: digits as a student's hand draws them with a mouse on the app's canvas.

Independent of the training generator (``cnnviz.data.strokes``) in three ways: its own skeletons (way
points on a 10 x 16 box, written separately, with styles that set lacks: crossed 4, long-flag 1,
two-stroke 3, ...), another curve model (a hand that lags behind a moving intention like a damped
spring, slows into corners and wobbles with velocity noise, sampled at mouse-event rate and then
smoothed the way fabric.js's PencilBrush does, instead of splines through jittered points), and
its own pose ranges. Only the canvas model (``cnnviz.imaging.canvas``: painting and preprocessing) is
shared, because the page is the same. Seeded and deterministic.
"""

from __future__ import annotations

import numpy as np

from cnnviz.imaging.canvas import CANVAS_SIDE, MAX_WIDTH, MIN_WIDTH, fabric_path, to_inputs

__all__ = ["HAND_STYLES", "hand_drawing", "make_drawings", "parse_stroke"]

BOX_W, BOX_H = 10.0, 16.0  # the way points' frame: x right, y down


def _ring(cx: float, cy: float, rx: float, ry: float, start: float, sweep: float,
          step: float = 30.0) -> str:
    """Way points every ``step`` degrees of an ellipse (screen angles: 0 right, 90 down)."""
    n = max(2, int(abs(sweep) / step) + 1)
    a = np.radians(start + np.linspace(0.0, sweep, n))
    return " ".join(f"{cx + rx * np.cos(t):.2f},{cy + ry * np.sin(t):.2f}" for t in a)


# Each stroke is "x,y x,y ..."; a "*" after a point makes the hand slow down and turn sharply there.
HAND_STYLES: dict[int, dict[str, tuple[str, ...]]] = {
    0: {"ccw_overlap": (_ring(5, 8, 4.6, 7.6, -90, -390),),
        "cw_gap": (_ring(5, 8, 4.2, 7.8, -60, 335),),
        "narrow": (_ring(5, 8, 3.0, 7.8, -100, -350),)},
    1: {"stick": ("5,0 5,16",),
        "serif": ("2.5,3 5.5,0* 5.5,16",),
        "serif_base": ("3,2.5 5.5,0* 5.5,16", "2,16 9,16"),
        "long_flag": ("1.4,4.2 6,0* 5.4,16",)},
    2: {"swan": ("1,4 3,0.8 6,0 8.6,1.6 9,4.4 7.4,8 1,16* 10,15.6",),
        "loop_base": ("0.6,3.6 3.4,0.4 7,0.3 8.8,3 7.6,7 3.4,12 1,15.2 2.6,16 4,14.4 2,13.8 "
                      "4,15.4 7,16 10,15",),
        "z": ("1,1.5 5,0 9,1.6 8.4,5 0.4,16* 10,16",),
        "curly_end": ("1.2,3.4 4.8,0 8.8,2.6 7,7.6 1.4,15.4* 5.4,15.2 8.4,16 10,14.6",)},
    3: {"cusp": ("1,2 5,0 8.6,2.2 7.4,5.8 3.8,7.6* 8.6,9.6 9.2,13 6,16 1,14.6",),
        "two_strokes": ("1.4,1.4 5.4,0 8.4,2.4 7,6.4 3.6,7.8", "4,7.6 8.6,9.6 9.4,13 6.4,16 0.6,14.4"),
        "flat_top": ("0.6,0 9.4,0* 4,6.4* 8.4,8.6 9.4,12.4 6.6,15.8 3,16 0.4,14",)},
    4: {"open": ("2,0 0.6,10* 10,10", "7.4,2 7.4,16"),
        "closed": ("7.4,16 7.4,0* 0,10.8* 10,10.8",),
        "closed_two": ("7.2,0 0,10.4* 10,10.4", "7.4,0 7.4,16"),
        "open_cross": ("1.4,0 0,9* 9.4,9", "6.6,0 6.2,16")},
    5: {"hat_last": ("1.6,0 1,7* 4.4,6 8,7.4 9.4,11 8,14.6 4.4,16 0.4,14.6", "1.6,0 9.4,0.2"),
        "hat_first": ("9.6,0 1.6,0* 1,7.2* 5,6.2 8.8,8 9.4,12 7,15.6 3,16 0.2,14",),
        "round_belly": ("1.4,0.4 0.8,6.6* 5.4,5.6 9.6,9 9,14 5,16 0.6,14.8", "1.6,0.2 9,0")},
    6: {"swoop": ("8.4,0.6 5,0 2,2.6 0.4,7.6 0.8,12.8 3.6,16 7,15.6 9.2,12.4 8,9.4 4.4,8.6 "
                  "1.4,10 0.8,12",),
        "straight_back": ("7.6,0 1,10.6 " + _ring(5, 12.2, 4, 3.8, 180, -360),),
        "small_loop": ("9,0 4,3 1.2,9 1.2,13.6 4.4,16 7.6,14.6 8,12 5.4,10.6 2,12",)},
    7: {"plain": ("0,0.4 10,0* 3.4,16",),
        "crossed": ("0,0 10,0.4* 3.6,16", "2,8.4 9,8"),
        "curved": ("0.4,0 10,0.6* 7.4,5.4 5.6,10 4.8,16",),
        "serif": ("0.2,2.4 0.4,0* 10,0* 3.2,16",)},
    8: {"s_and_back": ("8.4,1.6 5,0 1.6,1.6 1.8,5 5,7.4 8.8,10.4 9,14 5,16 1,14 1.2,10.4 "
                       "5,7.4 8.2,4.6 8.4,1.6",),
        "snowman": (_ring(5, 3.8, 3.4, 3.8, -90, -360), _ring(5, 11.8, 4.4, 4.2, -90, -360)),
        "x_start": ("5,7.6 1.6,4.4 3.4,0.4 6.8,0.6 8,3.8 5,7.6 1.4,11 2.6,15.4 7.4,15.6 "
                    "8.8,11.4 5,7.6",)},
    9: {"stick_tail": (_ring(5, 4, 4, 4, 0, -360) + " 9,4* 8.6,16",),
        "hook_tail": (_ring(4.8, 4, 4, 4, 10, -360) + " 8.8,4.4* 8.6,10 7,14.6 3.6,16",),
        "two_strokes": (_ring(4.6, 4.2, 4, 4, 0, 360), "9,0.6 8.6,16")},
}

SPEED = (2.5, 6.0)  # digit heights per second along the intention's path
EVENT_HZ = (60.0, 125.0)  # mousemove rates browsers deliver
HAND_OMEGA = (22.0, 45.0)  # hand's natural frequency (rad/s): how closely it follows
HAND_DAMPING = (0.65, 1.0)
WOBBLE = (0.5, 2.5)  # velocity-noise strength, in intention speeds per sqrt(second)
LEAN = (-0.2, 0.5)  # slant: x shift per unit of height above the middle
TURN = 12.0  # rotation, degrees either way
STRETCH = (0.7, 1.35)  # width multiplier
TALL = (0.35, 0.92)  # digit height as a fraction of the canvas
_SIM_HZ = 480.0
_CORNER_SLOW = 0.12  # speed fraction at a sharp way point
_EDGE = 2.0  # free pixels at the canvas border, beyond half the pen


def parse_stroke(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Way points (k, 2) and corner flags (k,) of one stroke in HAND_STYLES' notation."""
    pts, sharp = [], []
    for token in text.split():
        sharp.append(token.endswith("*"))
        x, y = token.rstrip("*").split(",")
        pts.append((float(x), float(y)))
    return np.array(pts), np.array(sharp)


def _intention(points: np.ndarray, sharp: np.ndarray, speed: float,
               rng: np.random.Generator) -> np.ndarray:
    """Where the hand means to be at each simulation step: along the way points at a wandering
    pace that drops near sharp points. (T, 2) positions, 1/_SIM_HZ seconds apart."""
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    s = np.linspace(0.0, arc[-1], max(2, int(arc[-1] / 0.5)))  # every half pixel of the path
    near = np.min(np.abs(s[:, None] - arc[sharp][None]), axis=1) if sharp.any() else np.inf
    slow = np.clip(near / (0.06 * arc[-1] + 1e-9), _CORNER_SLOW, 1.0)
    walk = np.cumsum(rng.normal(0, 0.1, 8))  # the pace drifts smoothly along the stroke
    pace = np.exp(np.interp(np.linspace(0, 7, len(s)), np.arange(8), walk))
    dt = np.diff(s, prepend=0.0) / (speed * slow * pace)
    times = np.cumsum(dt)  # when the intention passes each s
    at = np.interp(np.arange(0.0, times[-1], 1.0 / _SIM_HZ), times, s)
    return np.stack([np.interp(at, arc, points[:, 0]), np.interp(at, arc, points[:, 1])], axis=1)


def _hand(target: np.ndarray, speed: float, rng: np.random.Generator) -> np.ndarray:
    """The pen: a damped spring pulled towards ``target`` with noisy velocity; it keeps moving a
    moment after the intention ends, as a hand settles before the button is released."""
    omega, zeta = rng.uniform(*HAND_OMEGA), rng.uniform(*HAND_DAMPING)
    dt = 1.0 / _SIM_HZ
    settle = int(rng.uniform(0.02, 0.12) * _SIM_HZ)
    goal = np.concatenate([target, np.repeat(target[-1:], settle, axis=0)]).tolist()
    kicks = (rng.normal(0, 1, (len(goal), 2)) * rng.uniform(*WOBBLE) * speed * np.sqrt(dt)).tolist()
    k, c = omega**2 * dt, 2 * zeta * omega * dt
    (px, py), vx, vy = goal[0], 0.0, 0.0
    out = []
    for (qx, qy), (nx, ny) in zip(goal, kicks):  # plain floats: numpy per step costs 20x more
        vx += k * (qx - px) - c * vx + nx
        vy += k * (qy - py) - c * vy + ny
        px, py = px + vx * dt, py + vy * dt
        out.append((px, py))
    return np.asarray(out)


def _events(path: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The pen positions the browser reports: every 1/rate seconds, give or take."""
    rate = rng.uniform(*EVENT_HZ)
    times = np.cumsum(rng.uniform(0.7, 1.3, len(path)) / rate)
    idx = np.unique(np.minimum((times * _SIM_HZ).astype(int), len(path) - 1))
    return path[np.concatenate([[0], idx])]


def _posed(strokes: list[np.ndarray], height: float, rng: np.random.Generator) -> list[np.ndarray]:
    """Way points leaned, turned, stretched and scaled to ``height`` pixels (origin anywhere)."""
    a = np.radians(rng.uniform(-TURN, TURN))
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    lin = rot @ np.array([[rng.uniform(*STRETCH), -rng.uniform(*LEAN)], [0.0, 1.0]]) * height
    centre = np.array([BOX_W / 2, BOX_H / 2])
    return [((p - centre) / BOX_H) @ lin.T for p in strokes]


def _placed(paths: list[np.ndarray], width: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shrink the drawing if it would leave the canvas, then put it anywhere that it fits."""
    lo = np.min([p.min(0) for p in paths], axis=0)
    hi = np.max([p.max(0) for p in paths], axis=0)
    room = CANVAS_SIDE - width - 2 * _EDGE
    scale = min(1.0, room / max(float(np.max(hi - lo)), 1e-6))
    spare = room - (hi - lo) * scale
    origin = width / 2 + _EDGE + spare * rng.uniform(0, 1, 2)
    return [(p - lo) * scale + origin for p in paths]


def hand_drawing(digit: int, style: str, rng: np.random.Generator) -> tuple[list[np.ndarray], int]:
    """One simulated student drawing of ``digit`` in ``style``: canvas paths and pen width."""
    width = int(rng.integers(MIN_WIDTH, MAX_WIDTH + 1))
    parsed = [parse_stroke(text) for text in HAND_STYLES[digit][style]]
    height = rng.uniform(*TALL) * CANVAS_SIDE
    posed = _posed([pts for pts, _ in parsed], height, rng)
    speed = rng.uniform(*SPEED) * height
    paths = []
    for pts, (_, sharp) in zip(posed, parsed):
        target = _intention(pts, sharp, speed, rng)
        paths.append(fabric_path(_events(_hand(target, speed, rng), rng)))
    return _placed(paths, width, rng), width


def make_drawings(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """n simulated student drawings as model inputs uint8 (n, 1, 28, 28), balanced labels int64
    (n,) and each drawing's style name; the same seed gives the same drawings."""
    rng = np.random.default_rng([seed, 7])  # a stream of its own, whatever else uses this seed
    y = rng.permutation(np.arange(n, dtype=np.int64) % 10)
    drawings, styles = [], []
    for digit in y:
        names = sorted(HAND_STYLES[int(digit)])
        styles.append(names[rng.integers(len(names))])
        drawings.append(hand_drawing(int(digit), styles[-1], rng))
    return to_inputs(drawings), y, styles
