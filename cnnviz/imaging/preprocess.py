"""A picture becomes a model's input: crop and resize, grey or RGB, inversion and MNIST-style
centring for digit models, normalisation; every step is recorded so a page can show it.

Pure numpy / OpenCV / torch, shared by the Inspect and Attributions pages (no Streamlit).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from cnnviz.imaging.images import to_gray

__all__ = ["DIGIT_BOX", "Prepared", "centre_digit", "digest", "fit_to_input", "needs_invert", "preprocess",
           "readonly"]

MAX_ASPECT = 4  # longer strips are cut to their centre before ImageNet's resize
DIGIT_BOX = 20  # MNIST fits each digit into a 20x20 box centred (by mass) in 28x28


@dataclass(frozen=True, eq=False)
class Prepared:
    """The model's input and what was done to get it."""

    x: torch.Tensor  # (1, C, H, W) float32, normalised, on the CPU
    seen: np.ndarray  # uint8 (H, W, C): the picture at the model's size, before normalisation
    steps: list[tuple[str, dict]]  # translatable (key, args) of every step, in order
    digest: str  # identifies x: results computed from it can be cached under this


def digest(*parts: object) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
    return h.hexdigest()[:24]


def readonly(img: np.ndarray) -> np.ndarray:
    img = np.ascontiguousarray(img, dtype=np.uint8)
    img.setflags(write=False)
    return img


def _resize(img: np.ndarray, w: int, h: int) -> np.ndarray:
    """Area averaging when shrinking (no aliasing), bilinear when enlarging."""
    shrink = w * h < img.shape[0] * img.shape[1]
    return cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


def _cut_to_aspect(img: np.ndarray, ratio: int) -> np.ndarray:
    """The centre of a picture longer than ``ratio`` times its short side, cut to that ratio.

    Normal photos (at most 4:1) pass unchanged; only the centre of a long strip can survive the
    later centre crop anyway.
    """
    ih, iw = img.shape[:2]
    if iw > ratio * ih:
        left = (iw - ratio * ih) // 2
        return img[:, left:left + ratio * ih]
    if ih > ratio * iw:
        top = (ih - ratio * iw) // 2
        return img[top:top + ratio * iw]
    return img


def fit_to_input(img: np.ndarray, h: int, w: int, resize: int | None = None) -> np.ndarray:
    """Crop the centre to the input's aspect ratio and resize to (h, w).

    With ``resize`` (ImageNet): the shorter side is scaled to ``resize`` first and the centre
    h x w cut out, as torchvision's weights' transforms do (Resize(256), CenterCrop(224)).
    """
    ih, iw = img.shape[:2]
    if resize is not None:
        img = _cut_to_aspect(img, MAX_ASPECT)  # an 8000x1 strip would otherwise scale to 2 GB
        ih, iw = img.shape[:2]
        scale = resize / min(ih, iw)
        img = _resize(img, max(w, round(iw * scale)), max(h, round(ih * scale)))
        ih, iw = img.shape[:2]
        top, left = (ih - h) // 2, (iw - w) // 2
        return np.ascontiguousarray(img[top:top + h, left:left + w])
    if iw * h > ih * w:  # too wide: cut the sides
        cw = max(1, round(ih * w / h))
        img = img[:, (iw - cw) // 2:(iw - cw) // 2 + cw]
    elif iw * h < ih * w:  # too tall: cut top and bottom
        ch = max(1, round(iw * h / w))
        img = img[(ih - ch) // 2:(ih - ch) // 2 + ch]
    if img.shape[:2] == (h, w):
        return np.ascontiguousarray(img)
    return _resize(np.ascontiguousarray(img), w, h)


def needs_invert(gray: np.ndarray) -> bool:
    """True for a light background (dark ink on paper): digit models expect light on dark."""
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    return float(border.mean()) > 127.5


def centre_digit(gray: np.ndarray, side: int = 28, box: int = DIGIT_BOX) -> np.ndarray:
    """MNIST's layout: the strokes' bounding box scaled to fit ``box``, centred by mass in
    ``side`` x ``side``. An empty picture is only resized."""
    ys, xs = np.nonzero(gray > 0.2 * float(gray.max())) if gray.max() > 0 else ((), ())
    if len(ys) == 0:
        return fit_to_input(gray, side, side)
    crop = gray[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    scale = box / max(crop.shape)
    small = _resize(crop, max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    mass = small.astype(np.float64)
    total = mass.sum() or 1.0
    cy = (mass.sum(axis=1) * np.arange(small.shape[0])).sum() / total
    cx = (mass.sum(axis=0) * np.arange(small.shape[1])).sum() / total
    top = int(np.clip(round(side / 2 - 0.5 - cy), 0, side - small.shape[0]))
    left = int(np.clip(round(side / 2 - 0.5 - cx), 0, side - small.shape[1]))
    out = np.zeros((side, side), np.uint8)
    out[top:top + small.shape[0], left:left + small.shape[1]] = small
    return out


def preprocess(img: np.ndarray, in_shape: tuple[int, int, int], mean: tuple[float, ...],
               std: tuple[float, ...], resize: int | None = None, invert: bool = False,
               centre: bool = False) -> Prepared:
    """RGB uint8 (H, W, 3) -> the model's normalised input (1, C, H, W): x = (v/255 - mean) / std.

    Grey models (C = 1) get ITU-R 601 luma, optionally inverted and MNIST-centred.
    """
    c, h, w = in_shape
    steps: list[tuple[str, dict]] = []
    fit_step = ("prep_resize_crop" if resize else "prep_resize",
                {"from_w": img.shape[1], "from_h": img.shape[0], "w": w, "h": h, "short": resize or 0})
    if img.shape[:2] == (h, w) and resize is None:
        fit_step = ("prep_same_size", {"w": w, "h": h})
    if c == 1:
        gray = np.rint(to_gray(img) * 255).astype(np.uint8)  # (H, W)
        steps.append(("prep_gray", {}))
        if invert:
            gray = 255 - gray
            steps.append(("prep_invert", {}))
        if centre and h == w:
            seen = centre_digit(gray, side=h)
            steps.append(("prep_centre", {"box": DIGIT_BOX * h // 28, "side": h}))
        else:
            seen = fit_to_input(gray, h, w, resize)
            steps.append(fit_step)
        seen = seen[:, :, None]  # (H, W, 1)
    else:
        seen = fit_to_input(img, h, w, resize)
        steps.append(fit_step)
    if seen.shape[2] != c:  # an RGB picture for a model with another channel count
        seen = np.repeat(seen.mean(axis=2, keepdims=True).round().astype(np.uint8), c, axis=2)
    m = torch.tensor(mean, dtype=torch.float32).view(1, c, 1, 1)
    s = torch.tensor(std, dtype=torch.float32).view(1, c, 1, 1)
    x = torch.tensor(seen).permute(2, 0, 1)[None].float() / 255.0  # a copy: seen stays read-only
    x = (x - m) / s  # (1, C, H, W)
    steps.append(("prep_normalise", {"mean": ", ".join(f"{v:.3f}" for v in mean),
                                     "std": ", ".join(f"{v:.3f}" for v in std)}))
    return Prepared(x=x, seen=readonly(seen), steps=steps,
                    digest=digest(seen, in_shape, mean, std))
