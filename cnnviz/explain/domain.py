"""Does a picture look like what a model was trained on? A cheap check before trusting an answer.

A digits model has only ever seen grey digits on a plain background, the shapes models generated
shapes: a colour photo fed to them still gets a confident answer and a convincing
heat map, both meaningless. This module says why a picture is outside the model's training data
(or that the weights are random); it measures the picture, never judges what it shows, and
knows nothing about Streamlit. Photo models (CIFAR-10, ImageNet) accept any picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["COLOURFUL", "DIGIT_SETS", "GREY_SETS", "ORIGINS", "PLAIN_BORDER", "PLAIN_SHARE", "PictureStats",
           "kind_of", "measure", "mismatches", "origin_of"]

DIGIT_SETS = ("digits", "strokes", "handwritten", "class_drawings", "mnist")
GREY_SETS = (*DIGIT_SETS, "fashion_mnist")  # grey pictures on a plain background
NARROW_SETS = (*GREY_SETS, "shapes")  # models that know one narrow kind of picture
SIDE = 64  # the picture is measured at this size: enough for its colours and background
COLOURFUL = 12.0  # mean spread of R, G, B per pixel (0..255) above which a picture is in colour
PLAIN_BORDER = 20.0  # grey-level std of the border below which the background is plain
PLAIN_SHARE = 0.5  # share of pixels near the border's level: at least half is background
NEAR = 32.0
ORIGINS = ("sample", "photo", "pattern", "upload")  # grey levels within this of the background count as background


@dataclass(frozen=True)
class PictureStats:
    """What the check measures."""

    colour: float  # mean spread of R, G, B per pixel, 0 for a grey picture
    border_std: float  # grey-level std of the outermost pixels
    background: float  # share of pixels within NEAR grey levels of the border's median


def measure(image: np.ndarray) -> PictureStats:
    """Measure an RGB (H, W, 3) or grey (H, W) uint8 picture at 64 px on its longer side."""
    img = np.asarray(image)
    if img.ndim == 2:
        img = img[..., None]
    if img.ndim != 3 or img.shape[2] not in (1, 3, 4) or min(img.shape[:2]) < 1:
        raise ValueError(f"expected a picture (H, W[, C]), got shape {img.shape}")
    img = img[..., :3].astype(np.float32)
    h, w = img.shape[:2]
    scale = SIDE / max(h, w)
    if scale < 1:
        img = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        img = img.reshape(img.shape[0], img.shape[1], -1)
    colour = float((img.max(axis=2) - img.min(axis=2)).mean())
    grey = img.mean(axis=2)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    level = float(np.median(border))
    return PictureStats(colour, float(border.std()), float((np.abs(grey - level) < NEAR).mean()))


def mismatches(image: np.ndarray | None, dataset: str, in_channels: int, trained: bool = True,
               origin: str = "upload") -> list[str]:
    """Reasons to distrust this model's answer on this picture, most important first.

    ``origin`` says where the picture came from: "sample" (the model's own kind: a digit for a
    digits model, a generated shape, a drawing), "photo" (a bundled photo), "pattern" (a test
    pattern) or "upload" (an upload or the camera: only measuring can tell). Reasons:

    - "random": the weights are random (nothing was learned);
    - "photo" / "pattern": a bundled photo or test pattern into a model that knows only digits,
      clothes or shapes;
    - "colour": a colour picture into a model trained on grey pictures (digits, clothes, or any
      one-channel model), which only ever sees its brightness;
    - "background": an upload without a plain background into a digits or clothes model;
    - "unverified": an upload into the shapes model, whose noisy generated shapes no simple
      measure tells apart from photos: the answer is one of its shapes whatever the picture.
    An empty list: nothing found (which does not prove the picture shows a known class)."""
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {ORIGINS}, got {origin!r}")
    reasons = [] if trained else ["random"]
    if image is None or origin == "sample":
        return reasons
    narrow = dataset in NARROW_SETS
    if narrow and origin in ("photo", "pattern"):
        reasons.append(origin)
    if origin != "upload":
        return reasons
    s = measure(image)
    if (dataset in GREY_SETS or in_channels == 1) and s.colour > COLOURFUL:
        reasons.append("colour")
    if dataset in GREY_SETS and not (s.border_std < PLAIN_BORDER and s.background >= PLAIN_SHARE):
        reasons.append("background")
    if dataset == "shapes":
        reasons.append("unverified")
    return reasons


def kind_of(dataset: str) -> str:
    """What the model knows, in one word for the warning: digits, clothes, shapes or other."""
    if dataset in DIGIT_SETS:
        return "digits"
    if dataset == "fashion_mnist":
        return "clothes"
    if dataset == "shapes":
        return "shapes"
    return "other"



_OWN_SAMPLES = {"hw": DIGIT_SETS, "gen": DIGIT_SETS, "draw": DIGIT_SETS, "shape": ("shapes",)}


def origin_of(choice: str, dataset: str) -> str:
    """The ``origin`` of a picture source as the pages name it ("hw:3", "shape:2", "photo:chelsea",
    "pattern:ramp", "draw", "upload", "camera") for a model trained on ``dataset``: a sample is
    "sample" only for a model of its own kind (a digit into the shapes model is measured)."""
    prefix = choice.split(":", 1)[0]
    if prefix in ("photo", "pattern"):
        return prefix
    if dataset in _OWN_SAMPLES.get(prefix, ()):
        return "sample"
    return "upload"
