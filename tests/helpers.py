"""Tiny models, configs and inputs that several test modules use, built the same way everywhere.

Nothing here asserts anything; a module that needs a model or an input of its own keeps it.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

import numpy as np
import torch
from PIL import Image
from torch import nn

from cnnviz.models.builders import ModelConfig, build_model
from cnnviz.train.engine import TrainConfig
from cnnviz.train.runs import RunSpec

# LeNet-5 on 28x28 grey digits, with the zoo's defaults.
LENET = ModelConfig("lenet5", (1, 28, 28))
# LeNet-5 as the shipped digits model is configured (ReLU, He initialisation).
LENET_RELU_HE = ModelConfig("lenet5", (1, 28, 28), activation="relu", init="he")
TINYVGG = ModelConfig("tinyvgg", (3, 32, 32))
# Two epochs of one 32-picture batch each: a run that finishes in well under a second.
TINY_TRAIN = TrainConfig(epochs=2, batch_size=32, seed=0)
TINY_RUN = RunSpec("digits", 64, 32, LENET, TINY_TRAIN)


def seeded_model(cfg: ModelConfig, seed: int = 0) -> nn.Module:
    """``build_model(cfg)`` in eval mode, its weights drawn after ``torch.manual_seed(seed)``."""
    torch.manual_seed(seed)
    return build_model(cfg).eval()


def noise_rgb(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A uint8 (height, width, 3) picture of uniform noise, the same for the same seed."""
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def image_bytes(img: Image.Image | np.ndarray, fmt: str = "PNG", **kwargs: object) -> bytes:
    """The file a person would upload: ``img`` encoded by Pillow as ``fmt`` (PNG unless told)."""
    if isinstance(img, np.ndarray):
        img = Image.fromarray(img)
    buf = io.BytesIO()
    img.save(buf, fmt, **kwargs)
    return buf.getvalue()


def idx_bytes(array: np.ndarray) -> bytes:
    """MNIST's idx format: magic (0, 0, type 8 = uint8, ndim), big-endian sizes, then the bytes."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """torch's intra-op thread count set to ``n`` inside the block, the previous count restored."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
