"""Model zoo: small builders (MLP, LeNet-5, TinyVGG, VGG, ResNet) behind ``build_model(cfg)``.

Every activation is its own non-in-place module (never ``F.relu``), so Captum's GuidedBackprop and
DeepLift, and forward hooks, see each use separately. Builds untrained models only; knows nothing
about data, training or checkpoints beyond the JSON-safe ``ModelConfig.to_dict``.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, Callable

import torch
from torch import nn

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "MODELS",
    "BasicBlock",
    "ModelConfig",
    "build_model",
    "count_params",
    "describe",
    "min_input_side",
    "mlp_widths",
    "param_count",
]

LEAKY_SLOPE = 0.01
MAX_DEPTH = 8
MAX_WIDTH = 512
MAX_CLASSES = 1000  # ImageNet's count; the app's own datasets have 10
MAX_CHANNELS = 3  # pictures are grey or RGB
MAX_INPUT_SIDE = 256  # the app's data is 28-32 px; a larger input only makes a model slower
TINYVGG_CHANNELS = 10  # CNN Explainer's TinyVGG uses 10 maps in every conv layer

# A factory per name: calling it gives a fresh module, because a shared instance breaks DeepLift
# and in-place variants make forward hooks report post-activation values.
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": lambda: nn.ReLU(inplace=False),
    "leaky_relu": lambda: nn.LeakyReLU(negative_slope=LEAKY_SLOPE, inplace=False),
    "silu": lambda: nn.SiLU(inplace=False),
}
ACTIVATION_LABELS = {
    "sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU", "leaky_relu": "Leaky ReLU",
    "silu": "SiLU",
}
INIT_LABELS = {"default": "PyTorch init", "glorot": "Glorot init", "he": "He init"}
ARCH_LABELS = {
    "mlp": "MLP", "lenet5": "LeNet-5", "tinyvgg": "TinyVGG", "vgg": "VGG", "resnet": "ResNet",
}

# He init's gain per activation. SiLU has no gain of its own in torch; it behaves like ReLU for
# positive inputs, so ReLU's sqrt(2) is the usual choice.
_HE_NONLINEARITY = {
    "relu": "relu", "leaky_relu": "leaky_relu", "silu": "relu", "tanh": "tanh",
    "sigmoid": "sigmoid",
}


def _weighted_layers(model: nn.Module) -> list[nn.Module]:
    return [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def _init_default(model: nn.Module, activation: str) -> None:
    """Keep PyTorch's own init: kaiming_uniform_ with a=sqrt(5), i.e. std = 1/sqrt(3*fan_in)."""


def _init_glorot(model: nn.Module, activation: str) -> None:
    """Glorot/Xavier uniform: U(-b, b) with b = sqrt(6 / (fan_in + fan_out)); biases zero."""
    for layer in _weighted_layers(model):
        nn.init.xavier_uniform_(layer.weight)
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)


def _init_he(model: nn.Module, activation: str) -> None:
    """He/Kaiming normal, fan_in: std = gain / sqrt(fan_in) (gain sqrt(2) for ReLU); biases zero."""
    for layer in _weighted_layers(model):
        nn.init.kaiming_normal_(
            layer.weight, a=LEAKY_SLOPE, mode="fan_in", nonlinearity=_HE_NONLINEARITY[activation]
        )
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)


INITS: dict[str, Callable[[nn.Module, str], None]] = {
    "default": _init_default,
    "glorot": _init_glorot,
    "he": _init_he,
}


def _is_int(value: Any) -> bool:
    # bool is a subclass of int, but depth=True is a mistake, not a depth of 1
    return isinstance(value, int) and not isinstance(value, bool)


def _check_choice(name: str, value: Any, choices: dict[str, Any]) -> None:
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose one of {sorted(choices)}")


def _check_int(name: str, value: Any, low: int, high: int) -> None:
    if not _is_int(value) or not low <= value <= high:
        raise ValueError(f"{name} must be an int in [{low}, {high}], got {value!r}")


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to rebuild a model; validated on construction.

    ``depth`` and ``width`` shape the MLP (hidden layers), VGG (blocks) and ResNet (stages);
    LeNet-5 and TinyVGG are fixed architectures and ignore them.
    """

    arch: str
    in_shape: tuple[int, int, int]  # (C, H, W)
    num_classes: int = 10
    activation: str = "relu"
    init: str = "default"
    batchnorm: bool = False
    dropout: float = 0.0
    depth: int = 2
    width: int = 32

    def __post_init__(self) -> None:
        _check_choice("arch", self.arch, MODELS)
        _check_choice("activation", self.activation, ACTIVATIONS)
        _check_choice("init", self.init, INITS)
        shape = self.in_shape
        if not (isinstance(shape, tuple) and len(shape) == 3
                and all(_is_int(v) and v > 0 for v in shape)):
            raise ValueError(
                f"in_shape must be a (C, H, W) tuple of three positive ints, got {shape!r}"
            )
        if shape[0] > MAX_CHANNELS or max(shape[1:]) > MAX_INPUT_SIDE:
            raise ValueError(f"in_shape {shape!r} is beyond {MAX_CHANNELS} channels of at most "
                             f"{MAX_INPUT_SIDE}x{MAX_INPUT_SIDE} pixels")
        _check_int("num_classes", self.num_classes, 1, MAX_CLASSES)
        _check_int("depth", self.depth, 1, MAX_DEPTH)
        _check_int("width", self.width, 1, MAX_WIDTH)
        if not isinstance(self.batchnorm, bool):
            raise ValueError(f"batchnorm must be a bool, got {self.batchnorm!r}")
        p = self.dropout
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p < 1.0:
            raise ValueError(f"dropout must be a number in [0, 1), got {p!r}")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only (in_shape becomes a list), for checkpoint metadata."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["in_shape"] = list(self.in_shape)
        data["dropout"] = float(self.dropout)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        """Inverse of ``to_dict``; unknown keys are an error, not silently dropped."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown ModelConfig keys {sorted(unknown)}")
        if "arch" not in data or "in_shape" not in data:
            raise ValueError("ModelConfig needs at least 'arch' and 'in_shape'")
        shape = data["in_shape"]
        if not isinstance(shape, (list, tuple)):
            raise ValueError(f"in_shape must be a list of three ints, got {shape!r}")
        return cls(**{**data, "in_shape": tuple(shape)})


def _out(n: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Output side of a conv or pool: floor((n + 2P - K) / S) + 1."""
    return (n + 2 * padding - kernel) // stride + 1


def _conv_unit(cfg: ModelConfig, tag: str, c_in: int, c_out: int, kernel: int,
               padding: int = 0) -> list[tuple[str, nn.Module]]:
    """conv → (BatchNorm) → activation.

    With BN the conv bias is redundant (BN subtracts the mean right after), so it is left out.
    """
    layers: list[tuple[str, nn.Module]] = [
        (f"conv{tag}", nn.Conv2d(c_in, c_out, kernel, padding=padding, bias=not cfg.batchnorm))
    ]
    if cfg.batchnorm:
        layers.append((f"bn{tag}", nn.BatchNorm2d(c_out)))
    layers.append((f"act{tag}", ACTIVATIONS[cfg.activation]()))
    return layers


def _head(cfg: ModelConfig, in_features: int) -> list[tuple[str, nn.Module]]:
    """(dropout) → linear classifier; no Dropout module at p=0, so layer lists stay clean."""
    layers: list[tuple[str, nn.Module]] = []
    if cfg.dropout > 0:
        layers.append(("dropout", nn.Dropout(cfg.dropout)))
    layers.append(("fc", nn.Linear(in_features, cfg.num_classes)))
    return layers


def mlp_widths(cfg: ModelConfig) -> list[int]:
    """Hidden sizes: 8*width halving per layer, never below width (256, 128 at the defaults)."""
    return [max(cfg.width * 8 >> i, cfg.width) for i in range(cfg.depth)]


def _mlp(cfg: ModelConfig) -> nn.Module:
    c, h, w = cfg.in_shape
    layers: list[tuple[str, nn.Module]] = [("flatten", nn.Flatten())]  # (B, C*H*W)
    prev = c * h * w
    for i, hidden in enumerate(mlp_widths(cfg), start=1):
        layers.append((f"fc{i}", nn.Linear(prev, hidden, bias=not cfg.batchnorm)))
        if cfg.batchnorm:
            layers.append((f"bn{i}", nn.BatchNorm1d(hidden)))
        layers.append((f"act{i}", ACTIVATIONS[cfg.activation]()))
        prev = hidden
    return nn.Sequential(OrderedDict(layers + _head(cfg, prev)))


def _lenet5(cfg: ModelConfig) -> nn.Module:
    """LeNet-5 (LeCun et al. 1998) with padding 2 on conv1, so 28x28 MNIST sees the paper's 32x32.

    Average pooling, as in the paper's subsampling layers (minus their trainable scale).
    """
    c, h, w = cfg.in_shape
    sides = []
    for n in (h, w):
        n = _out(_out(n, 5, padding=2), 2, 2)  # conv1 5x5 pad 2 keeps the side, pool1 halves it
        sides.append(_out(_out(n, 5), 2, 2))  # conv2 5x5 unpadded, pool2
    layers = _conv_unit(cfg, "1", c, 6, 5, padding=2) + [("pool1", nn.AvgPool2d(2))]
    layers += _conv_unit(cfg, "2", 6, 16, 5) + [("pool2", nn.AvgPool2d(2))]
    layers += [
        ("flatten", nn.Flatten()),  # (B, 16*H'*W')
        ("fc1", nn.Linear(16 * sides[0] * sides[1], 120)),
        ("act3", ACTIVATIONS[cfg.activation]()),
        ("fc2", nn.Linear(120, 84)),
        ("act4", ACTIVATIONS[cfg.activation]()),
    ]
    return nn.Sequential(OrderedDict(layers + _head(cfg, 84)))


def _tinyvgg(cfg: ModelConfig) -> nn.Module:
    """CNN Explainer's TinyVGG: 2 x [conv3x3(10) act conv3x3(10) act maxpool2], flatten, linear.

    Convs are unpadded, as in CNN Explainer: 64x64 → 62 → 60 → 30 → 28 → 26 → 13.
    """
    c, h, w = cfg.in_shape
    k = TINYVGG_CHANNELS
    layers: list[tuple[str, nn.Module]] = []
    sides = [h, w]
    for block in (1, 2):
        layers += _conv_unit(cfg, f"{block}_1", c if block == 1 else k, k, 3)
        layers += _conv_unit(cfg, f"{block}_2", k, k, 3)
        layers.append((f"pool{block}", nn.MaxPool2d(2)))
        sides = [_out(_out(_out(n, 3), 3), 2, 2) for n in sides]
    layers.append(("flatten", nn.Flatten()))  # (B, 10*H'*W')
    return nn.Sequential(OrderedDict(layers + _head(cfg, k * sides[0] * sides[1])))


def _vgg(cfg: ModelConfig) -> nn.Module:
    """``depth`` blocks of 2 x [conv3x3 pad 1 → (BN) → act] + maxpool2; channels width·2^block.

    Global average pooling instead of VGG's big fully connected layers keeps it CIFAR-sized.
    """
    c_in = cfg.in_shape[0]
    layers: list[tuple[str, nn.Module]] = []
    for b in range(1, cfg.depth + 1):
        c_out = cfg.width * 2 ** (b - 1)
        layers += _conv_unit(cfg, f"{b}_1", c_in, c_out, 3, padding=1)
        layers += _conv_unit(cfg, f"{b}_2", c_out, c_out, 3, padding=1)
        layers.append((f"pool{b}", nn.MaxPool2d(2)))
        c_in = c_out
    layers += [("gap", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten())]  # (B, C)
    return nn.Sequential(OrderedDict(layers + _head(cfg, c_in)))


class BasicBlock(nn.Module):
    """ResNet basic block (He et al. 2016): conv3x3 → BN → act → conv3x3 → BN, + shortcut → act.

    The shortcut is the identity, or a 1x1 conv (+BN) when the stride or channel count changes.
    """

    def __init__(self, cfg: ModelConfig, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        bn, act = cfg.batchnorm, ACTIVATIONS[cfg.activation]
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=not bn)
        self.bn1 = nn.BatchNorm2d(c_out) if bn else nn.Identity()
        self.act1 = act()
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=not bn)
        self.bn2 = nn.BatchNorm2d(c_out) if bn else nn.Identity()
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or c_in != c_out:
            proj = [nn.Conv2d(c_in, c_out, 1, stride=stride, bias=not bn)]
            self.shortcut = nn.Sequential(*proj, *([nn.BatchNorm2d(c_out)] if bn else []))
        self.act2 = act()  # a second instance: the block's two activations are separate uses

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.act1(self.bn1(self.conv1(x)))  # (B, c_out, H/stride, W/stride)
        out = self.bn2(self.conv2(out))
        return self.act2(out + self.shortcut(x))  # add first, then activate


def _resnet(cfg: ModelConfig) -> nn.Module:
    """Stem conv3x3 → ``depth`` stages of one BasicBlock (stride 2 from stage 2) → GAP → fc."""
    layers = _conv_unit(cfg, "_stem", cfg.in_shape[0], cfg.width, 3, padding=1)
    c_in = cfg.width
    for s in range(1, cfg.depth + 1):
        c_out = cfg.width * 2 ** (s - 1)
        layers.append((f"stage{s}", BasicBlock(cfg, c_in, c_out, stride=1 if s == 1 else 2)))
        c_in = c_out
    layers += [("gap", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten())]  # (B, C)
    return nn.Sequential(OrderedDict(layers + _head(cfg, c_in)))


MODELS: dict[str, Callable[[ModelConfig], nn.Module]] = {
    "mlp": _mlp,
    "lenet5": _lenet5,
    "tinyvgg": _tinyvgg,
    "vgg": _vgg,
    "resnet": _resnet,
}


def min_input_side(cfg: ModelConfig) -> int:
    """Smallest H and W the architecture accepts (every feature map must stay at least 1x1).

    LeNet-5: 12 → 12 → 6 → 2 → 1.  TinyVGG: 16 → 14 → 12 → 6 → 4 → 2 → 1.
    VGG: each block halves, so 2^depth.  MLP and ResNet (padded stride-2 convs): any size.
    """
    return {"lenet5": 12, "tinyvgg": 16, "vgg": 2 ** cfg.depth}.get(cfg.arch, 1)


def _construct(cfg: ModelConfig) -> nn.Module:
    _, h, w = cfg.in_shape
    need = min_input_side(cfg)
    if min(h, w) < need:
        raise ValueError(
            f"{cfg.arch} needs inputs of at least {need}x{need} (its feature maps would shrink "
            f"below 1x1), got {h}x{w}"
        )
    return MODELS[cfg.arch](cfg)


def build_model(cfg: ModelConfig) -> nn.Module:
    """Build the model ``cfg`` describes, with its weights initialised by ``cfg.init``."""
    model = _construct(cfg)
    INITS[cfg.init](model, cfg.activation)
    return model


def param_count(model: nn.Module) -> int:
    """Number of trainable parameters (BatchNorm running statistics are buffers, not counted)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _arch_label(cfg: ModelConfig) -> str:
    if cfg.arch == "mlp":
        return "MLP " + "-".join(str(n) for n in mlp_widths(cfg))
    if cfg.arch in ("vgg", "resnet"):
        unit = "blocks" if cfg.arch == "vgg" else "stages"
        return f"{ARCH_LABELS[cfg.arch]} ({cfg.depth} {unit}, width {cfg.width})"
    return ARCH_LABELS[cfg.arch]


@lru_cache(maxsize=256)
def count_params(cfg: ModelConfig) -> int:
    """Trainable parameters of the model ``cfg`` describes, built on the meta device (no memory;
    about 1 ms, and the pages ask on every rerun, so remembered per config)."""
    with torch.device("meta"):  # shapes only: counting needs no memory and no init
        return param_count(_construct(cfg))


def describe(cfg: ModelConfig) -> str:
    """One line in English, e.g. ``LeNet-5 · ReLU · He init · 61,706 parameters`` (the UI writes
    the same line in the reader's language: cnnviz.ui.names)."""
    count = count_params(cfg)
    parts = [_arch_label(cfg), ACTIVATION_LABELS[cfg.activation], INIT_LABELS[cfg.init]]
    if cfg.batchnorm:
        parts.append("BatchNorm")
    if cfg.dropout > 0:
        parts.append(f"dropout {cfg.dropout:g}")
    return " · ".join(parts + [f"{count:,} parameters"])
