"""torchvision ImageNet classifiers (AlexNet, VGG-16, ResNet-18) for the Inspect/Attributions pages.

Loads the trained weights from a local file (torch hub's cache by default), downloads them when
allowed, and otherwise falls back to seeded random weights with a message that says so and where
to place the file. Never raises for a missing or damaged file; knows nothing about images.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlparse

import torch
from torch import nn
from torchvision import models
from torchvision.models import WeightsEnum

from cnnviz.errors import register

__all__ = [
    "IMAGENET_MODELS",
    "MESSAGES",
    "RANDOM_SEED",
    "Pretrained",
    "load_imagenet",
    "weights_file",
]

IMAGENET_MODELS: dict[str, tuple[Callable[..., nn.Module], WeightsEnum]] = {
    "alexnet": (models.alexnet, models.AlexNet_Weights.IMAGENET1K_V1),
    "vgg16": (models.vgg16, models.VGG16_Weights.IMAGENET1K_V1),
    "resnet18": (models.resnet18, models.ResNet18_Weights.IMAGENET1K_V1),
}
RANDOM_SEED = 0  # the fallback's weights are the same on every load, so results are repeatable

MESSAGES = register({
    "weights_offline": (
        "The trained weights of {name} could not be loaded (no internet connection?), so it runs "
        "with random weights and its predictions are meaningless. To use the trained weights, "
        "place {file} (from {url}) in {folder}."
    ),
    "weights_corrupt": (
        "The weights file {file} in {folder} is damaged or does not belong to {name}, so it runs "
        "with random weights and its predictions are meaningless. Replace it with the original "
        "{file} from {url}."
    ),
})

# torchvision's file names end in the first hex digits of the file's SHA-256: resnet18-f37072fd.pth
_HASH_IN_NAME = re.compile(r"-([a-f0-9]+)\.")


@dataclass(frozen=True, eq=False)
class Pretrained:
    """An ImageNet model in eval mode (on the CPU) and what it takes to feed and read it."""

    name: str
    model: nn.Module
    categories: tuple[str, ...]  # 1000 ImageNet class names, index = output unit
    pretrained: bool  # False: random weights, see message_key
    message_key: str | None = None  # None, "weights_offline" or "weights_corrupt"
    message_args: dict[str, str] = field(default_factory=dict)
    mean: tuple[float, ...] = (0.485, 0.456, 0.406)
    std: tuple[float, ...] = (0.229, 0.224, 0.225)
    input_size: int = 224  # side of the centre crop the model sees
    resize_size: int = 256  # shorter side is resized to this before the crop


def _entry(name: str) -> tuple[Callable[..., nn.Module], WeightsEnum]:
    if name not in IMAGENET_MODELS:
        raise KeyError(f"unknown ImageNet model {name!r}; choose one of {sorted(IMAGENET_MODELS)}")
    return IMAGENET_MODELS[name]


def weights_file(name: str, cache_dir: str | Path | None = None) -> Path:
    """Where the weights of ``name`` are looked for: <cache_dir or hub dir/checkpoints>/<file>."""
    _, weights = _entry(name)
    folder = Path(cache_dir) if cache_dir is not None else Path(torch.hub.get_dir()) / "checkpoints"
    return folder / Path(urlparse(weights.url).path).name


def _random_model(builder: Callable[..., nn.Module]) -> nn.Module:
    """The architecture with seeded random weights, leaving the global RNG untouched."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(RANDOM_SEED)
        return builder(weights=None).eval()


def _download(url: str, path: Path) -> None:
    """Fetch ``url`` into ``path``; torch writes a temp file first, so a failure leaves no file.

    The hash in the file name is checked, so a truncated download is refused.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    match = _HASH_IN_NAME.search(path.name)
    torch.hub.download_url_to_file(url, str(path), match.group(1) if match else None,
                                   progress=False)


def _load_into(model: nn.Module, path: Path) -> None:
    """Load a state dict file into ``model``; checks keys and shapes before touching the model."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    expected = model.state_dict()
    if not isinstance(state, dict) or set(state) != set(expected):
        raise ValueError(f"{path} does not hold the state dict of this architecture")
    wrong = [k for k, v in expected.items()
             if not isinstance(state[k], torch.Tensor) or state[k].shape != v.shape]
    if wrong:
        raise ValueError(f"{path} has tensors of the wrong shape: {wrong[:5]}")
    model.load_state_dict(state)


def load_imagenet(name: str, allow_download: bool = True,
                  cache_dir: str | Path | None = None) -> Pretrained:
    """The ImageNet model ``name`` with its trained weights if they can be had, else random ones.

    Looks for the weights file in ``cache_dir`` (default: torch hub's checkpoints folder), then
    downloads it when ``allow_download``. Without the file: ``pretrained=False`` and
    ``message_key`` "weights_offline"; with a file that does not load: "weights_corrupt".
    """
    builder, weights = _entry(name)
    path = weights_file(name, cache_dir)
    model = _random_model(builder)
    key = None
    if not path.is_file():
        try:
            if not allow_download:
                raise FileNotFoundError(path)
            _download(weights.url, path)
        except (URLError, OSError, RuntimeError):  # offline, refused, read-only or bad hash
            key = "weights_offline"
    if key is None:
        try:
            _load_into(model, path)
        except Exception:  # noqa: BLE001 - damaged files raise pickle, zip, EOF, runtime errors
            key = "weights_corrupt"
            model = _random_model(builder)  # never keep a half-loaded model
    transforms = weights.transforms()
    args = {"name": name, "file": path.name, "folder": str(path.parent), "url": weights.url}
    return Pretrained(
        name=name, model=model.eval(), categories=tuple(weights.meta["categories"]),
        pretrained=key is None, message_key=key, message_args=args if key else {},
        mean=tuple(transforms.mean), std=tuple(transforms.std),
        input_size=int(transforms.crop_size[0]), resize_size=int(transforms.resize_size[0]),
    )
