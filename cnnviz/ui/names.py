"""Names the library writes in English, in the reader's language: a model's one-line description,
the compute device, a dataset. The library keeps its English (``cnnviz.models.builders.describe``) for logs
and checkpoint notes; pages show these."""

from __future__ import annotations

import torch

from cnnviz.models.builders import ACTIVATION_LABELS, ARCH_LABELS, ModelConfig, count_params, mlp_widths
from cnnviz.ui.i18n import t

__all__ = ["arch_name", "dataset_name", "device_name", "model_line"]


def arch_name(cfg: ModelConfig) -> str:
    """'LeNet-5', 'MLP 256-128', 'VGG (3 blocks, width 16)' in the reader's language."""
    if cfg.arch == "mlp":
        return "MLP " + "-".join(str(n) for n in mlp_widths(cfg))
    if cfg.arch in ("vgg", "resnet"):
        return t(f"nm_arch_{cfg.arch}", depth=cfg.depth, width=cfg.width)
    return ARCH_LABELS[cfg.arch]


def model_line(cfg: ModelConfig) -> str:
    """'LeNet-5 · ReLU · He init · 61,706 parameters' in the reader's language and number format."""
    parts = [arch_name(cfg), ACTIVATION_LABELS[cfg.activation], t(f"nm_init_{cfg.init}")]
    if cfg.batchnorm:
        parts.append("BatchNorm")
    if cfg.dropout > 0:
        parts.append(t("nm_dropout", p=cfg.dropout))
    return " · ".join(parts + [t("nm_params", n=count_params(cfg))])


def device_name(device: torch.device | str | None = None) -> str:
    """'NVIDIA H100 80GB HBM3 (CUDA 13.0)' or 'CPU (1 thread)' in the reader's language."""
    kind = torch.device(device).type if device is not None else ("cuda" if torch.cuda.is_available() else "cpu")
    if kind == "cuda" and torch.cuda.is_available():
        return f"{torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda})"
    threads = torch.get_num_threads()
    return t("nm_cpu", n=threads)


def dataset_name(key: str) -> str:
    """A dataset's short name ('generated digits', 'chữ số tổng hợp'); the key when it has none."""
    text = t(f"mp_ds_{key}")
    return key if text == f"mp_ds_{key}" else text
