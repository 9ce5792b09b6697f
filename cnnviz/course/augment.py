"""Data augmentation on one picture, each kind with the torchvision line that does the same.

A picture is augmented with a fixed seed: the random parameters are drawn by torchvision's own
``get_params`` in the order its transform draws them, then applied here step by step (a flip, a
padded crop, a rotation, the colour changes in their drawn order, an erased box). So
``torch.manual_seed(seed); eval(line)(picture)`` gives the very same pixels (tests check), and
the page can say what was drawn. The global random state is left as it was. No Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torchvision.transforms as T
import torchvision.transforms.functional as TF

from cnnviz.data.datasets import make_digits, make_shapes

__all__ = ["KINDS", "Augmented", "augment", "code_line", "sample"]

KINDS = ("flip", "crop", "rotation", "jitter", "erasing")
ROTATION_DEGREES = 20
JITTER = {"brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.1}
ERASE_SCALE = (0.02, 0.2)
ERASE_RATIO = (0.3, 3.3)
SAMPLE_SEED = 11  # the same samples as the Inspect page's
_JITTER_STEPS = (("brightness", TF.adjust_brightness), ("contrast", TF.adjust_contrast),
                 ("saturation", TF.adjust_saturation), ("hue", TF.adjust_hue))


@dataclass(frozen=True, eq=False)
class Augmented:
    kind: str
    picture: np.ndarray  # RGB uint8 (H, W, 3), read-only
    params: dict[str, object]  # what was drawn, for the caption
    line: str  # the torchvision transform that gives the same picture from the same seed


def _padding(h: int, w: int) -> int:
    return max(1, min(h, w) // 8)  # 4 pixels on CIFAR's 32x32, as the usual recipe pads


def code_line(kind: str, h: int, w: int) -> str:
    """The torchvision transform (``import torchvision.transforms as T``) for ``kind``."""
    if kind == "flip":
        return "T.RandomHorizontalFlip(p=0.5)"
    if kind == "crop":
        size = str(h) if h == w else f"({h}, {w})"
        return f"T.RandomCrop({size}, padding={_padding(h, w)})"
    if kind == "rotation":
        return f"T.RandomRotation(degrees={ROTATION_DEGREES})"
    if kind == "jitter":
        return "T.ColorJitter(" + ", ".join(f"{k}={v}" for k, v in JITTER.items()) + ")"
    if kind == "erasing":
        return f"T.RandomErasing(p=1.0, scale={ERASE_SCALE}, ratio={ERASE_RATIO}, value=0)"
    raise ValueError(f"unknown augmentation {kind!r}; choose from {KINDS}")


def _flip(x: torch.Tensor) -> tuple[torch.Tensor, dict[str, object]]:
    flipped = bool(torch.rand(1) < 0.5)
    return (x.flip(-1) if flipped else x), {"flipped": flipped}


def _crop(x: torch.Tensor) -> tuple[torch.Tensor, dict[str, object]]:
    _, h, w = x.shape
    p = _padding(h, w)
    padded = torch.zeros((x.shape[0], h + 2 * p, w + 2 * p), dtype=x.dtype)
    padded[:, p:p + h, p:p + w] = x
    top, left, _, _ = T.RandomCrop.get_params(padded, (h, w))
    # the picture's content moves by (p - top, p - left): a window starting above it pushes it down
    return padded[:, top:top + h, left:left + w], {"down": p - top, "right": p - left, "pad": p}


def _rotation(x: torch.Tensor) -> tuple[torch.Tensor, dict[str, object]]:
    angle = T.RandomRotation.get_params([-ROTATION_DEGREES, ROTATION_DEGREES])
    out = TF.rotate(x, angle, T.InterpolationMode.NEAREST, False, None, [0.0] * x.shape[0])
    return out, {"angle": angle}


def _jitter(x: torch.Tensor) -> tuple[torch.Tensor, dict[str, object]]:
    ranges = [(max(0.0, 1 - v), 1 + v) for v in list(JITTER.values())[:3]] + [(-JITTER["hue"], JITTER["hue"])]
    order, *factors = T.ColorJitter.get_params(*ranges)
    drawn: dict[str, object] = {"order": [_JITTER_STEPS[i][0] for i in order.tolist()]}
    for i in order.tolist():
        name, adjust = _JITTER_STEPS[i]
        x = adjust(x, factors[i])
        drawn[name] = factors[i]
    return x, drawn


def _erasing(x: torch.Tensor) -> tuple[torch.Tensor, dict[str, object]]:
    torch.rand(1)  # RandomErasing draws its p-test first (p=1 always passes)
    top, left, h, w, v = T.RandomErasing.get_params(x, ERASE_SCALE, ERASE_RATIO, [0.0])
    if (h, w) == tuple(x.shape[-2:]):  # ten draws that did not fit: torchvision leaves the picture
        return x, {"erased": False}
    out = x.clone()
    out[:, top:top + h, left:left + w] = v.to(x.dtype)
    return out, {"erased": True, "top": top, "left": left, "h": h, "w": w}


_STEPS = {"flip": _flip, "crop": _crop, "rotation": _rotation, "jitter": _jitter, "erasing": _erasing}


def augment(picture: np.ndarray, kind: str, seed: int) -> Augmented:
    """``picture`` (RGB uint8 (H, W, 3)) augmented by ``kind`` after ``torch.manual_seed(seed)``."""
    if kind not in _STEPS:
        raise ValueError(f"unknown augmentation {kind!r}; choose from {KINDS}")
    x = torch.tensor(np.asarray(picture, dtype=np.uint8)).permute(2, 0, 1)  # (3, H, W) uint8, a copy
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        out, params = _STEPS[kind](x)
    result = np.ascontiguousarray(out.permute(1, 2, 0).numpy())
    result.setflags(write=False)
    return Augmented(kind, result, params, code_line(kind, x.shape[1], x.shape[2]))


def sample(source: str, seed: int = SAMPLE_SEED) -> np.ndarray:
    """An embedded dataset's picture as RGB uint8 (H, W, 3): ``shape:<class>`` (32x32 generated
    shapes) or ``digit:<class>`` (28x28 generated digits, grey in three channels)."""
    kind, _, cls = source.partition(":")
    if kind not in ("shape", "digit") or not cls.isdigit() or not 0 <= int(cls) < 10:
        raise ValueError(f"not a sample: {source!r}; use shape:<0-9> or digit:<0-9>")
    x, y = (make_shapes if kind == "shape" else make_digits)(40, seed)
    img = np.transpose(x[int(np.flatnonzero(y == int(cls))[0])], (1, 2, 0))
    out = np.ascontiguousarray(np.repeat(img, 3 // img.shape[2], axis=2))
    out.setflags(write=False)
    return out
