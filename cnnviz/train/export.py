"""A run as a self-contained PyTorch script: plain torch + numpy (torchvision for the downloaded
datasets), no cnnviz import. Same model, initial weights, data, batch order, augmentation and
schedule as the engine, so the same seed gives the same first step on a CPU.

The generated datasets need cnnviz's generators, so their images go beside the script in
``data.npz``; a transferred or hand-crafted start goes in ``start_weights.pt``. No Streamlit.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch import nn

from cnnviz.classroom.class_data import CLASS_DATASET
from cnnviz.data.datasets import DATASETS
from cnnviz.errors import CnnvizError, register
from cnnviz.models.builders import BasicBlock
from cnnviz.train.runs import RunSpec, load_split

__all__ = ["EXPORT_MAX_BYTES", "MESSAGES", "TORCHVISION", "check_export", "export_name", "export_zip",
           "model_code", "script_of"]

TEMPLATE = Path(__file__).with_name("export_template.py.txt")
EXPORT_MAX_BYTES = 64_000_000  # images in one export: about 20,000 shapes or 80,000 digits
TORCHVISION = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST", "cifar10": "CIFAR10"}
DATA_FILE, WEIGHTS_FILE, SCRIPT_FILE = "data.npz", "start_weights.pt", "train.py"
_INDENT = "    "

MESSAGES = register({
    "export_too_large": ("These settings train on {images:,} images ({mb:.0f} MB), too many to export "
                         "with the script: the limit is {limit_mb:.0f} MB. Lower the training or validation "
                         "images, or use a dataset the script downloads itself (MNIST, Fashion-MNIST, CIFAR-10)."),
})


def _pair(value: int | tuple[int, ...] | str) -> str:
    return repr(value) if isinstance(value, str) else repr(tuple(value) if isinstance(value, tuple) else value)


def _conv(m: nn.Conv2d) -> str:
    if m.groups != 1 or m.dilation != (1, 1) or m.padding_mode != "zeros":
        raise ValueError("only plain convolutions are exported")
    return (f"nn.Conv2d({m.in_channels}, {m.out_channels}, kernel_size={_pair(m.kernel_size)}, "
            f"stride={_pair(m.stride)}, padding={_pair(m.padding)}, bias={m.bias is not None})")


def _batchnorm(m: nn.modules.batchnorm._BatchNorm) -> str:
    if (m.eps, m.momentum, m.affine, m.track_running_stats) != (1e-5, 0.1, True, True):
        raise ValueError("only BatchNorm with PyTorch's defaults is exported")
    return f"nn.{type(m).__name__}({m.num_features})"


_LEAVES: dict[type, Callable[[nn.Module], str]] = {
    nn.Conv2d: _conv,
    nn.Linear: lambda m: f"nn.Linear({m.in_features}, {m.out_features}, bias={m.bias is not None})",
    nn.BatchNorm1d: _batchnorm,
    nn.BatchNorm2d: _batchnorm,
    nn.ReLU: lambda m: "nn.ReLU()",
    nn.LeakyReLU: lambda m: f"nn.LeakyReLU(negative_slope={m.negative_slope!r})",
    nn.Sigmoid: lambda m: "nn.Sigmoid()",
    nn.Tanh: lambda m: "nn.Tanh()",
    nn.SiLU: lambda m: "nn.SiLU()",
    nn.AvgPool2d: lambda m: f"nn.AvgPool2d(kernel_size={_pair(m.kernel_size)}, stride={_pair(m.stride)})",
    nn.MaxPool2d: lambda m: f"nn.MaxPool2d(kernel_size={_pair(m.kernel_size)}, stride={_pair(m.stride)})",
    nn.AdaptiveAvgPool2d: lambda m: f"nn.AdaptiveAvgPool2d({_pair(m.output_size)})",
    nn.Flatten: lambda m: f"nn.Flatten({m.start_dim}, {m.end_dim})",
    nn.Dropout: lambda m: f"nn.Dropout({m.p!r})",
    nn.Identity: lambda m: "nn.Identity()",
}


def model_code(model: nn.Module, depth: int = 1) -> str:
    """A Python expression (torch.nn only, plus the script's ``Residual``) that builds ``model``'s
    layers in the order cnnviz.models.builders builds them, so the same seed draws the same weights."""
    pad, inner = _INDENT * depth, _INDENT * (depth + 1)
    if type(model) in _LEAVES:
        return _LEAVES[type(model)](model)
    children = list(model.named_children())
    if isinstance(model, BasicBlock):  # keyword arguments are evaluated, and so built, in this order
        parts = [f"{inner}{name}={model_code(child, depth + 1)}," for name, child in children]
        return "Residual(\n" + "\n".join(parts) + f"\n{pad})"
    if type(model) is nn.Sequential and all(name.isdigit() for name, _ in children):
        return "nn.Sequential(" + ", ".join(model_code(child, depth) for _, child in children) + ")"
    if type(model) is nn.Sequential:
        parts = [f"{inner}({name!r}, {model_code(child, depth + 1)})," for name, child in children]
        return "nn.Sequential(OrderedDict([\n" + "\n".join(parts) + f"\n{pad}]))"
    raise ValueError(f"cannot export a {type(model).__name__} layer")


def _config(spec: RunSpec, frozen: list[str], data_file: str | None, weights: str | None) -> dict:
    info = DATASETS[spec.dataset]
    return {"title": spec.title or spec.dataset, "dataset": spec.dataset,
            "torchvision": TORCHVISION.get(spec.dataset), "n_train": spec.n_train, "n_val": spec.n_val,
            "classes": list(info.classes), "mean": list(info.mean), "std": list(info.std),
            "data_file": data_file, "start_weights": weights, "frozen": frozen,
            "init": spec.model.init, "activation": spec.model.activation,
            "train": {k: v for k, v in spec.train.to_dict().items() if k != "sync_every"}}


def _literal(config: dict, depth: int = 1) -> str:
    """A dict as a Python literal, one key a line (nested dicts too), each value by ``repr``."""
    lines = [f"{_INDENT * depth}{key!r}: {_literal(value, depth + 1) if isinstance(value, dict) else repr(value)},"
             for key, value in config.items()]
    return "{\n" + "\n".join(lines) + f"\n{_INDENT * (depth - 1)}}}"


def script_of(spec: RunSpec, model: nn.Module, data_file: str | None = DATA_FILE,
              weights: str | None = None) -> str:
    """The script's text for ``spec``, whose starting model is ``model`` (its frozen parameters,
    those with requires_grad off, stay frozen in the script)."""
    frozen = [name for name, p in model.named_parameters() if not p.requires_grad]
    config = _literal(_config(spec, frozen, data_file, weights))
    text = TEMPLATE.read_text(encoding="utf-8")
    return text.replace("__CONFIG__", config).replace("__MODEL__", model_code(model))


def export_name(spec: RunSpec) -> str:
    """A file and folder name for the export: e.g. ``cnnviz_lenet5_digits``."""
    return re.sub(r"[^a-z0-9_]+", "_", f"cnnviz_{spec.model.arch}_{spec.dataset}".lower())


def check_export(spec: RunSpec, runs: Path | None = None) -> None:
    """The translatable error ``export_zip`` would raise for a reason known before any work: too
    many images, or a model to start from that does not fit (or exist)."""
    from cnnviz.train.transfer import check_transfer

    _check_size(spec)
    check_transfer(spec, runs)


def _check_size(spec: RunSpec) -> None:
    if spec.dataset in TORCHVISION or spec.dataset == CLASS_DATASET:
        return  # downloaded by the script; a class's drawings are a few hundred images
    c, h, w = DATASETS[spec.dataset].shape
    images = spec.n_train + spec.n_val
    if images * c * h * w > EXPORT_MAX_BYTES:
        raise CnnvizError("export_too_large", images=images, mb=images * c * h * w / 1e6,
                          limit_mb=EXPORT_MAX_BYTES / 1e6)


def _data_bytes(spec: RunSpec, runs: Path | None, data_root: Path | None) -> bytes:
    split = load_split(spec, data_root, runs)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x_train=split.x_train.numpy(), y_train=split.y_train.numpy(),
                        x_val=split.x_val.numpy(), y_val=split.y_val.numpy())
    return buffer.getvalue()


def export_zip(spec: RunSpec, runs: Path | None = None, data_root: Path | None = None) -> bytes:
    """A zip of ``<name>/train.py``, with ``data.npz`` for the generated datasets and
    ``start_weights.pt`` when the run does not start from its seed's random weights. Raises the
    translatable errors of cnnviz.train.transfer (a missing source) and "export_too_large"."""
    from cnnviz.train.transfer import initial_model  # it imports cnnviz.models.zoo, which needs cnnviz.train.runs first

    _check_size(spec)
    model = initial_model(spec, runs)
    own_start = bool(spec.init_from) or spec.first_layer != "random"
    data_file = None if spec.dataset in TORCHVISION else DATA_FILE
    files = {SCRIPT_FILE: script_of(spec, model, data_file, WEIGHTS_FILE if own_start else None).encode()}
    if own_start:
        buffer = io.BytesIO()
        torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, buffer)
        files[WEIGHTS_FILE] = buffer.getvalue()
    if data_file:
        files[data_file] = _data_bytes(spec, runs, data_root)
    out, folder = io.BytesIO(), export_name(spec)
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():  # the data is compressed already; the script is text
            kind = zipfile.ZIP_STORED if name == DATA_FILE else zipfile.ZIP_DEFLATED
            archive.writestr(f"{folder}/{name}", data, compress_type=kind)
    return out.getvalue()
