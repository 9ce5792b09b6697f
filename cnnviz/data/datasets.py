"""Datasets: a registry, three synthetic sets generated offline, and the torchvision sets.

Everything returns uint8 images (N, C, H, W) and int64 labels as torch tensors; normalisation,
augmentation and moving to a device belong to the training code. No Streamlit.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from cnnviz.data.strokes import strokes_dataset
from cnnviz.errors import CnnvizError, register
from cnnviz.fileio import write_atomic

__all__ = [
    "DATASETS",
    "MESSAGES",
    "DatasetInfo",
    "DatasetUnavailable",
    "Split",
    "HANDWRITTEN_SIZE",
    "handwritten_digits",
    "load_embedded",
    "load_torchvision",
    "make_digits",
    "make_shapes",
]


@dataclass(frozen=True)
class DatasetInfo:
    """What a model needs to know about a dataset; mean/std are per channel on the 0..1 scale."""

    name: str
    shape: tuple[int, int, int]  # (C, H, W)
    classes: tuple[str, ...]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    embedded: bool


@dataclass(frozen=True)
class Split:
    """Train and validation tensors: x uint8 (N, C, H, W), y int64 (N,)."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor


SHAPE_CLASSES = ("circle", "square", "triangle", "star", "ring", "cross", "horizontal stripes",
                 "vertical stripes", "diagonal stripes", "checkerboard")
DIGIT_CLASSES = tuple(str(d) for d in range(10))

# Embedded sets' statistics were measured on 10,000 generated images (tests keep them honest);
# the real sets' are the commonly published ones.
DATASETS: dict[str, DatasetInfo] = {
    "shapes": DatasetInfo("shapes", (3, 32, 32), SHAPE_CLASSES, (0.500, 0.500, 0.500),
                          (0.290, 0.290, 0.290), True),
    "digits": DatasetInfo("digits", (1, 28, 28), DIGIT_CLASSES, (0.136,), (0.318,), True),
    "strokes": DatasetInfo("strokes", (1, 28, 28), DIGIT_CLASSES, (0.131,), (0.312,), True),
    "handwritten": DatasetInfo("handwritten", (1, 28, 28), DIGIT_CLASSES, (0.159,), (0.298,), True),
    # Digits a class drew on the canvas (cnnviz.classroom.class_data): the statistics of canvas drawings
    "class_drawings": DatasetInfo("class_drawings", (1, 28, 28), DIGIT_CLASSES, (0.131,), (0.312,), False),
    "mnist": DatasetInfo("mnist", (1, 28, 28), DIGIT_CLASSES, (0.1307,), (0.3081,), False),
    "fashion_mnist": DatasetInfo(
        "fashion_mnist", (1, 28, 28),
        ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
         "Bag", "Ankle boot"), (0.2860,), (0.3530,), False),
    "cifar10": DatasetInfo(
        "cifar10", (3, 32, 32),
        ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
        (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616), False),
}

MESSAGES = register({
    "data_offline": ("The {name} dataset could not be downloaded (no internet connection?). "
                     "Place these files in {folder} and try again: {files}"),
})

_MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte")
# Folder torchvision reads each set from, relative to root, and what a person can put there.
_TV_FOLDERS = {"mnist": "MNIST/raw", "fashion_mnist": "FashionMNIST/raw",
               "cifar10": "cifar-10-batches-py"}
_TV_FILES = {
    "mnist": ", ".join(f"MNIST/raw/{f}.gz" for f in _MNIST_FILES),
    "fashion_mnist": ", ".join(f"FashionMNIST/raw/{f}.gz" for f in _MNIST_FILES),
    "cifar10": "cifar-10-python.tar.gz, or the extracted folder cifar-10-batches-py/",
}
# Bumped whenever a generator changes, so stale caches are regenerated instead of trusted.
_CACHE_VERSION = 1


class DatasetUnavailable(CnnvizError):
    """A torchvision dataset that is neither on disk nor downloadable; ``key``/``args_`` translate."""


# ---------------------------------------------------------------------------------------------
# Labels and pixels shared by both generators


def _balanced_labels(n: int, rng: np.random.Generator) -> np.ndarray:
    """n labels whose class counts differ by at most one, in random order."""
    return rng.permutation(np.arange(n, dtype=np.int64) % 10)


def _add_noise(img: np.ndarray, max_sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise with a per-image strength, rounded back to uint8."""
    sigma = rng.uniform(0.0, max_sigma, size=(len(img),) + (1,) * (img.ndim - 1))
    noisy = img + rng.standard_normal(img.shape, dtype=np.float32) * sigma.astype(np.float32)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------------------------------------
# Shapes: six filled outlines drawn with OpenCV, four textures computed in one numpy expression

_SIZE = 32
_SUBPIXEL = 4  # cv2 fixed-point bits: shapes land on fractional positions, not a 1-pixel grid


def _star(points: int, inner: float) -> np.ndarray:
    angles = np.arange(2 * points) * np.pi / points - np.pi / 2
    radius = np.where(np.arange(2 * points) % 2 == 0, 1.0, inner)
    return np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)


# Outlines inside the unit circle, scaled, rotated and moved per image.
_OUTLINES = {
    1: np.array([[-0.75, -0.75], [0.75, -0.75], [0.75, 0.75], [-0.75, 0.75]]),
    2: _star(3, 0.5)[::2],
    3: _star(5, 0.42),
    5: np.array([[-0.28, -1], [0.28, -1], [0.28, -0.28], [1, -0.28], [1, 0.28], [0.28, 0.28],
                 [0.28, 1], [-0.28, 1], [-0.28, 0.28], [-1, 0.28], [-1, -0.28], [-0.28, -0.28]]),
}


def _shape_mask(label: int, cx: float, cy: float, r: float, theta: float) -> np.ndarray:
    """A 0/255 uint8 (32, 32) mask of one filled shape (labels 0-5)."""
    mask = np.zeros((_SIZE, _SIZE), np.uint8)
    one = 1 << _SUBPIXEL
    centre = (round(cx * one), round(cy * one))
    if label in (0, 4):  # a circle has no orientation; a ring is a circle with a hole
        cv2.circle(mask, centre, round(r * one), 255, -1, cv2.LINE_AA, _SUBPIXEL)
        if label == 4:
            cv2.circle(mask, centre, round(0.55 * r * one), 0, -1, cv2.LINE_AA, _SUBPIXEL)
        return mask
    c, s = np.cos(theta), np.sin(theta)
    pts = _OUTLINES[label] @ np.array([[c, s], [-s, c]]) * r + (cx, cy)
    cv2.fillPoly(mask, [np.rint(pts * one).astype(np.int32)], 255, cv2.LINE_AA, _SUBPIXEL)
    return mask


def _texture_masks(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Float (n, 32, 32) masks in 0..1 for the texture labels 6-9, all at once."""
    n = len(labels)
    # Stripe direction: the angle along which intensity changes. Horizontal stripes vary along y.
    base = np.select([labels == 6, labels == 7, labels == 8], [np.pi / 2, 0.0, np.pi / 4], 0.0)
    flip = (labels == 8) & (rng.random(n) < 0.5)  # both diagonals belong to one class
    angle = np.where(flip, -base, base) + rng.uniform(-0.17, 0.17, n)
    period = np.where(labels == 9, rng.uniform(7, 12, n), rng.uniform(4.5, 9, n))
    phase_u, phase_v = rng.uniform(0, 2 * np.pi, (2, n))
    yy, xx = np.mgrid[0:_SIZE, 0:_SIZE].astype(np.float32)
    c, s = np.cos(angle)[:, None, None], np.sin(angle)[:, None, None]
    k = (2 * np.pi / period)[:, None, None]
    wave_u = np.sin(k * (xx * c + yy * s) + phase_u[:, None, None])
    wave_v = np.sin(k * (yy * c - xx * s) + phase_v[:, None, None])
    wave = np.where((labels == 9)[:, None, None], wave_u * wave_v * 2, wave_u)
    # A steep clipped sine: crisp stripes with one anti-aliased pixel at each edge.
    return np.clip(0.5 + 2.0 * wave, 0.0, 1.0).astype(np.float32)


def _contrasting_colours(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random background and foreground RGB colours whose brightness differs visibly."""
    luma = np.array([0.299, 0.587, 0.114])
    bg = rng.integers(0, 256, (n, 3)).astype(np.float32)
    fg = rng.integers(0, 256, (n, 3)).astype(np.float32)
    for _ in range(10):  # redraw the low-contrast pairs; few survive ten rounds
        low = np.abs((fg - bg) @ luma) < 60
        if not low.any():
            break
        fg[low] = rng.integers(0, 256, (int(low.sum()), 3))
    low = np.abs((fg - bg) @ luma) < 60
    fg[low] = np.where((bg[low] @ luma > 127)[:, None], 0.0, 255.0)
    return bg, fg


def _shapes(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = _balanced_labels(n, rng)
    r = rng.uniform(7.0, 12.0, n)
    cx, cy = rng.uniform(r, _SIZE - 1 - r), rng.uniform(r, _SIZE - 1 - r)
    theta = rng.uniform(0, 2 * np.pi, n)
    mask = _texture_masks(y, rng)
    for i in np.flatnonzero(y < 6):  # the only per-image loop: cv2 draws one polygon at a time
        mask[i] = _shape_mask(int(y[i]), cx[i], cy[i], r[i], theta[i]) / np.float32(255)
    bg, fg = _contrasting_colours(n, rng)
    m = mask[:, None]  # (n, 1, 32, 32)
    img = bg[:, :, None, None] * (1 - m) + fg[:, :, None, None] * m  # (n, 3, 32, 32)
    return _add_noise(img, 12.0, rng), y


def make_shapes(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n images x uint8 (n, 3, 32, 32) of the 10 ``SHAPE_CLASSES`` and labels y int64 (n,).

    Position, size, rotation, colours and noise are random; classes are balanced; the same seed
    gives the same images.
    """
    return _shapes(n, np.random.default_rng(seed))


# ---------------------------------------------------------------------------------------------
# Digits: Hershey stroke fonts drawn large, then one affine warp shrinks, rotates and shears them

_FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
          cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
          cv2.FONT_HERSHEY_SCRIPT_COMPLEX)
_CANVAS = 64
_DIGIT = 28


def _digit_canvas(digit: int, font: int, thickness: int) -> tuple[np.ndarray, float]:
    """The digit drawn centred on a 64x64 canvas, and its height in canvas pixels."""
    canvas = np.zeros((_CANVAS, _CANVAS), np.uint8)
    (w, h), _ = cv2.getTextSize(str(digit), font, 1.5, thickness)
    org = ((_CANVAS - w) // 2, (_CANVAS + h) // 2)
    cv2.putText(canvas, str(digit), org, font, 1.5, 255, thickness, cv2.LINE_AA)
    return canvas, float(h)


def _digit_pose(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random linear parts (n, 2, 2) (rotation after shear) and output centres (n, 2)."""
    theta = rng.uniform(-0.26, 0.26, n)  # about +-15 degrees
    shear = rng.uniform(-0.3, 0.3, n)
    c, s = np.cos(theta), np.sin(theta)
    lin = np.stack([np.stack([c, c * shear - s], 1), np.stack([s, s * shear + c], 1)], 1)
    return lin, _DIGIT / 2 + rng.uniform(-2.0, 2.0, (n, 2))


def _digits(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = _balanced_labels(n, rng)
    fonts = rng.integers(0, len(_FONTS), n)
    thickness = rng.integers(3, 8, n)
    height = rng.uniform(16.0, 22.0, n)  # MNIST digits are about 20 pixels tall
    lin, centre = _digit_pose(n, rng)
    src_centre = np.full(2, _CANVAS / 2)
    out = np.empty((n, _DIGIT, _DIGIT), np.uint8)
    for i in range(n):
        canvas, h = _digit_canvas(int(y[i]), _FONTS[fonts[i]], int(thickness[i]))
        a = lin[i] * (height[i] / h)  # the canvas digit shrunk to the drawn height
        m = np.hstack([a, (centre[i] - a @ src_centre)[:, None]])  # (2, 3): p -> a p + t
        out[i] = cv2.warpAffine(canvas, m, (_DIGIT, _DIGIT), flags=cv2.INTER_LINEAR)
    return _add_noise(out[:, None].astype(np.float32), 8.0, rng), y


def make_digits(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n images x uint8 (n, 1, 28, 28) of digits 0-9, white strokes on black, and labels y.

    Font, stroke width, size, rotation, shear, position and noise are random; classes are
    balanced; the same seed gives the same images.
    """
    return _digits(n, np.random.default_rng(seed))


_GENERATORS: dict[str, Callable[[int, np.random.Generator], tuple[np.ndarray, np.ndarray]]] = {
    "shapes": _shapes,
    "digits": _digits,
    "strokes": strokes_dataset,  # digits drawn with a mouse on the app's canvas (cnnviz.data.strokes)
}


# ---------------------------------------------------------------------------------------------
# Real handwriting: scikit-learn's bundled 8x8 digits, laid out the way MNIST is

HANDWRITTEN_SIZE = 1797  # samples in scikit-learn's load_digits()
_MNIST_BOX = 20  # MNIST fits each digit in a 20x20 box centred in 28x28


def handwritten_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 real handwritten digits as x uint8 (n, 1, 28, 28) and labels y.

    The 8x8 originals (0..16) are scaled to 0..255, upsampled bicubically to MNIST's 20x20 digit
    box and centred on a 28x28 black canvas, so models trained on 28x28 digits can read them.
    """
    from sklearn.datasets import load_digits  # bundled with scikit-learn: no download

    bunch = load_digits()
    small = torch.from_numpy(bunch.images).float()[:, None] * (255 / 16)
    box = F.interpolate(small, size=(_MNIST_BOX, _MNIST_BOX), mode="bicubic", align_corners=False)
    x = torch.zeros(len(small), 1, _DIGIT, _DIGIT)
    lo = (_DIGIT - _MNIST_BOX) // 2
    x[:, :, lo:lo + _MNIST_BOX, lo:lo + _MNIST_BOX] = box.clamp(0, 255)
    return x.round().to(torch.uint8).numpy(), bunch.target.astype(np.int64)


def _load_handwritten(n_train: int, n_val: int, seed: int) -> Split:
    """A seeded shuffle of the handwritten set: the first n_train train, the last n_val validate."""
    if n_train < 0 or n_val < 1 or n_train + n_val > HANDWRITTEN_SIZE:
        raise ValueError(f"the handwritten set has {HANDWRITTEN_SIZE} samples; "
                         f"cannot split it into {n_train} + {n_val}")
    x, y = handwritten_digits()
    order = np.random.default_rng([seed, 2]).permutation(len(y))
    train, val = order[:n_train], order[len(y) - n_val:]
    return Split(torch.from_numpy(x[train]), torch.from_numpy(y[train]),
                 torch.from_numpy(x[val]), torch.from_numpy(y[val]))


# ---------------------------------------------------------------------------------------------
# Loading: embedded sets through an on-disk cache, real sets through torchvision


def _default_cache() -> Path:
    return Path(os.environ.get("CNNVIZ_DATA", "data"))


def _read_cache(path: Path, name: str, n_train: int, n_val: int) -> Split | None:
    """The cached split, or None when the file is missing, damaged or from an older generator."""
    try:
        blob = torch.load(path, weights_only=True)
        c, h, w = DATASETS[name].shape
        split = Split(blob["x_train"], blob["y_train"], blob["x_val"], blob["y_val"])
        ok = (blob["version"] == _CACHE_VERSION
              and split.x_train.shape == (n_train, c, h, w) and split.x_val.shape == (n_val, c, h, w)
              and split.y_train.shape == (n_train,) and split.y_val.shape == (n_val,)
              and split.x_train.dtype == split.x_val.dtype == torch.uint8
              and split.y_train.dtype == split.y_val.dtype == torch.int64)
    except Exception:  # noqa: BLE001 - missing or damaged files raise OS, zip, pickle, key errors
        return None
    return split if ok else None


def load_embedded(name: str, n_train: int, n_val: int, seed: int = 0,
                  cache_dir: Path | None = None) -> Split:
    """Generate (or read back from ``cache_dir``) an embedded dataset: ``shapes``, ``digits`` or
    ``strokes``; or split scikit-learn's ``handwritten`` digits (which need no cache).

    Train and validation images come from independent random streams of the same seed. The cache
    only saves time: a damaged file is regenerated, and a folder that cannot be written is skipped.
    """
    if name == "handwritten":
        return _load_handwritten(n_train, n_val, seed)
    if name not in _GENERATORS:
        raise KeyError(f"{name!r} is not an embedded dataset; "
                       f"choose from {sorted(_GENERATORS) + ['handwritten']}")
    folder = _default_cache() if cache_dir is None else Path(cache_dir)
    path = folder / f"{name}-{n_train}-{n_val}-{seed}.pt"
    cached = _read_cache(path, name, n_train, n_val)
    if cached is not None:
        return cached
    make = _GENERATORS[name]
    x_train, y_train = make(n_train, np.random.default_rng([seed, 0]))
    x_val, y_val = make(n_val, np.random.default_rng([seed, 1]))
    split = Split(torch.from_numpy(x_train), torch.from_numpy(y_train),
                  torch.from_numpy(x_val), torch.from_numpy(y_val))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        torch.save({"version": _CACHE_VERSION, **vars(split)}, buffer)
        write_atomic(path, buffer.getvalue())
    except OSError:
        pass  # read-only or full disk: the data is still good, only the next load is slower
    return split


def _unpack_local(name: str, root: Path) -> None:
    """Unpack archives a person placed by hand, which torchvision only unpacks when downloading."""
    if name == "cifar10":
        archive = root / "cifar-10-python.tar.gz"
        if archive.is_file() and not (root / _TV_FOLDERS[name]).is_dir():
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(root, filter="data")  # "data" refuses paths outside root
        return
    raw = root / _TV_FOLDERS[name]
    for stem in _MNIST_FILES:
        packed, plain = raw / f"{stem}.gz", raw / stem
        if packed.is_file() and not plain.is_file():
            with gzip.open(packed, "rb") as src, open(plain, "wb") as dst:
                shutil.copyfileobj(src, dst)


def _as_tensors(ds: object) -> tuple[torch.Tensor, torch.Tensor]:
    """A torchvision dataset's pixels as uint8 (N, C, H, W) and its labels as int64 (N,)."""
    data, targets = ds.data, ds.targets  # type: ignore[attr-defined]
    if isinstance(data, np.ndarray):  # CIFAR keeps (N, H, W, C) numpy
        x = torch.from_numpy(np.ascontiguousarray(data.transpose(0, 3, 1, 2)))
    else:  # the MNIST family keeps (N, H, W) tensors
        x = data.unsqueeze(1).contiguous()
    return x.to(torch.uint8), torch.as_tensor(targets, dtype=torch.int64)


def load_torchvision(name: str, root: Path, download: bool) -> Split:
    """Load ``mnist``, ``fashion_mnist`` or ``cifar10`` from ``root``, downloading if allowed.

    The official test set is the validation split. When the files are neither in ``root`` nor
    downloadable, raises ``DatasetUnavailable`` naming the folder and the files to place there.
    """
    from torchvision import datasets  # imported here: the embedded sets do not need it

    classes = {"mnist": datasets.MNIST, "fashion_mnist": datasets.FashionMNIST,
               "cifar10": datasets.CIFAR10}
    if name not in classes:
        raise KeyError(f"{name!r} is not a torchvision dataset; choose from {sorted(classes)}")
    root = Path(root)
    try:
        _unpack_local(name, root)
        train = classes[name](str(root), train=True, download=download)
        val = classes[name](str(root), train=False, download=download)
    except (RuntimeError, OSError, URLError, EOFError, tarfile.TarError) as exc:
        raise DatasetUnavailable("data_offline", name=name, folder=str(root),
                                 files=_TV_FILES[name]) from exc
    return Split(*_as_tensors(train), *_as_tensors(val))
