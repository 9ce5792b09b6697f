"""Tests for cnnviz.models.builders: every arch builds, trains a step, counts right and suits Captum."""

from __future__ import annotations

import json
import math

import pytest
import torch
from captum.attr import GuidedBackprop
from torch import nn

from cnnviz.models.builders import (
    ACTIVATIONS,
    INITS,
    MODELS,
    ModelConfig,
    build_model,
    describe,
    min_input_side,
    param_count,
)

SHAPES = [(1, 28, 28), (3, 32, 32), (1, 8, 8)]
# (activation, init, batchnorm, dropout): plain defaults, and everything switched on at once
OPTIONS = [
    ("relu", "default", False, 0.0),
    ("tanh", "he", True, 0.5),
    ("silu", "glorot", True, 0.0),
]
ACTIVATION_TYPES = (nn.ReLU, nn.LeakyReLU, nn.SiLU, nn.Tanh, nn.Sigmoid)


def _cfg(arch: str, shape: tuple[int, int, int] = (3, 32, 32), **kw) -> ModelConfig:
    return ModelConfig(arch=arch, in_shape=shape, **kw)


def _fits(cfg: ModelConfig) -> bool:
    return min(cfg.in_shape[1:]) >= min_input_side(cfg)


# --- every arch x shape x options: forward and backward ---------------------------------------


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(map(str, o)))
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("arch", sorted(MODELS))
def test_forward_backward(arch: str, shape: tuple[int, int, int], options: tuple) -> None:
    act, init, bn, p = options
    cfg = _cfg(arch, shape, num_classes=7, activation=act, init=init, batchnorm=bn, dropout=p)
    if not _fits(cfg):
        with pytest.raises(ValueError, match=rf"at least {min_input_side(cfg)}x"):
            build_model(cfg)
        return
    torch.manual_seed(0)
    model = build_model(cfg).train()
    out = model(torch.randn(2, *shape))
    assert out.shape == (2, 7)
    out.square().sum().backward()
    for name, param in model.named_parameters():
        assert param.grad is not None, name
        assert torch.isfinite(param.grad).all(), name


def test_small_input_support_is_as_documented() -> None:
    # The 8x8 case above must not be vacuous: these archs run on it, these refuse it.
    small = {arch: _fits(_cfg(arch, (1, 8, 8))) for arch in MODELS}
    assert small == {"mlp": True, "lenet5": False, "tinyvgg": False, "vgg": True, "resnet": True}


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")  # the 0-feature Linear
@pytest.mark.parametrize(("arch", "depth", "side"), [
    ("lenet5", 2, 12), ("tinyvgg", 2, 16), ("vgg", 2, 4), ("vgg", 3, 8),
])
def test_min_input_side_is_tight(arch: str, depth: int, side: int) -> None:
    cfg = _cfg(arch, (1, side, side), depth=depth, width=4)
    assert min_input_side(cfg) == side
    assert build_model(cfg)(torch.randn(2, 1, side, side)).shape == (2, 10)
    # One pixel less really breaks the network: the raw builder, without the check, fails.
    small = _cfg(arch, (1, side, side - 1), depth=depth, width=4)
    with pytest.raises(RuntimeError):
        MODELS[arch](small)(torch.randn(2, 1, side, side - 1))
    # build_model refuses it up front, saying what is needed.
    expected = rf"{arch} needs inputs of at least {side}x{side}.*got {side}x{side - 1}"
    with pytest.raises(ValueError, match=expected):
        build_model(small)


def test_non_square_input() -> None:
    for arch in MODELS:
        model = build_model(_cfg(arch, (3, 20, 36), width=4))
        assert model(torch.randn(2, 3, 20, 36)).shape == (2, 10), arch


# --- parameter counts, by hand --------------------------------------------------------------------


def _conv(c_in: int, c_out: int, k: int) -> int:
    return c_out * (k * k * c_in + 1)  # K*(k*k*d + 1)


def _fc(n_in: int, n_out: int) -> int:
    return n_out * (n_in + 1)


def test_lenet5_count_mnist() -> None:
    # conv1 6*(25*1+1)=156, conv2 16*(25*6+1)=2,416
    # sides: 28 -conv1 pad 2-> 28 -pool-> 14 -conv2-> 10 -pool-> 5
    # fc1 120*(16*5*5+1)=48,120, fc2 84*(120+1)=10,164, fc3 10*(84+1)=850
    hand = 156 + 2_416 + 48_120 + 10_164 + 850
    assert hand == _conv(1, 6, 5) + _conv(6, 16, 5) + _fc(400, 120) + _fc(120, 84) + _fc(84, 10)
    assert hand == 61_706
    assert param_count(build_model(_cfg("lenet5", (1, 28, 28)))) == 61_706


def test_lenet5_count_cifar() -> None:
    # 32 -> 32 -> 16 -> 12 -> 6: fc1 sees 16*6*6 = 576 features; conv1 has 3 input channels
    hand = _conv(3, 6, 5) + _conv(6, 16, 5) + _fc(576, 120) + _fc(120, 84) + _fc(84, 10)
    assert hand == 456 + 2_416 + 69_240 + 10_164 + 850 == 83_126
    assert param_count(build_model(_cfg("lenet5", (3, 32, 32)))) == hand


def test_tinyvgg_counts() -> None:
    # convs: 10*(9*3+1)=280 then three of 10*(9*10+1)=910 -> 3,010
    convs = 280 + 3 * 910
    # 64 -> 62 -> 60 -> 30 -> 28 -> 26 -> 13: linear 10*(10*13*13+1) = 16,910
    assert param_count(build_model(_cfg("tinyvgg", (3, 64, 64)))) == convs + 16_910 == 19_920
    # 32 -> 30 -> 28 -> 14 -> 12 -> 10 -> 5: linear 10*(10*5*5+1) = 2,510
    assert param_count(build_model(_cfg("tinyvgg", (3, 32, 32)))) == convs + 2_510 == 5_520


def test_mlp_count() -> None:
    # 784 -> 256 -> 128 -> 10: 200,960 + 32,896 + 1,290
    assert param_count(build_model(_cfg("mlp", (1, 28, 28)))) == 200_960 + 32_896 + 1_290 == 235_146


def test_vgg_count() -> None:
    # block 1: 3->8, 8->8; block 2: 8->16, 16->16; GAP leaves 16 features -> 10 classes
    hand = 224 + 584 + 1_168 + 2_320 + 170
    block1 = _conv(3, 8, 3) + _conv(8, 8, 3)
    block2 = _conv(8, 16, 3) + _conv(16, 16, 3)
    assert hand == block1 + block2 + _fc(16, 10)
    assert param_count(build_model(_cfg("vgg", depth=2, width=8))) == hand == 4_466


def test_resnet_count() -> None:
    # stem 3->8 (224); stage 1 two 8->8 convs (584 each), identity shortcut;
    # stage 2: 8->16 (1,168), 16->16 (2,320), 1x1 projection 16*(8+1)=144; fc 170
    hand = 224 + 2 * 584 + 1_168 + 2_320 + 144 + 170
    assert param_count(build_model(_cfg("resnet", depth=2, width=8))) == hand == 5_194


def test_resnet_adds_before_second_activation() -> None:
    # With the residual branch zeroed a block is act2(x + 0) = relu(x); activating the branch
    # first and adding afterwards would give x itself, negatives included.
    model = build_model(_cfg("resnet", depth=1, width=3))
    block = model.stage1
    for conv in (block.conv1, block.conv2):
        nn.init.zeros_(conv.weight)
        nn.init.zeros_(conv.bias)
    x = torch.randn(2, 3, 5, 5)
    assert torch.equal(block(x), torch.relu(x))
    assert isinstance(block.shortcut, nn.Identity)
    projecting = build_model(_cfg("resnet", depth=2, width=3)).stage2
    assert projecting.shortcut[0].kernel_size == (1, 1) and projecting.shortcut[0].stride == (2, 2)
    assert block.act1 is not block.act2


def test_batchnorm_drops_conv_bias_and_adds_scale_shift() -> None:
    # LeNet-5 with BN: conv biases (6+16) go, BN's gamma and beta (2*(6+16)) come
    assert param_count(build_model(_cfg("lenet5", (1, 28, 28), batchnorm=True))) == 61_706 - 22 + 44


# --- Captum-friendliness --------------------------------------------------------------------------


def _leaf_call_counts(model: nn.Module, x: torch.Tensor) -> dict[nn.Module, int]:
    counts: dict[nn.Module, int] = {}
    leaves = [m for m in model.modules() if not list(m.children())]
    def count(module: nn.Module, inputs: object, output: object) -> None:
        counts[module] = counts.get(module, 0) + 1

    handles = [m.register_forward_hook(count) for m in leaves]
    model(x)
    for h in handles:
        h.remove()
    return {m: counts.get(m, 0) for m in leaves}


# Activation uses per forward at depth 2: LeNet-5 4, TinyVGG 4, MLP 2, VGG 4,
# ResNet 1 in the stem + 2 per block
EXPECTED_ACTIVATIONS = {"lenet5": 4, "tinyvgg": 4, "mlp": 2, "vgg": 4, "resnet": 5}


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("arch", sorted(MODELS))
def test_each_module_used_once_and_not_inplace(arch: str, activation: str) -> None:
    model = build_model(_cfg(arch, batchnorm=True, dropout=0.2, width=4, activation=activation))
    counts = _leaf_call_counts(model, torch.randn(2, 3, 32, 32))
    assert all(n == 1 for n in counts.values()), {type(m).__name__: n for m, n in counts.items()}
    acts = [m for m in counts if isinstance(m, ACTIVATION_TYPES)]
    assert len(acts) == EXPECTED_ACTIVATIONS[arch]
    assert all(type(m) is type(acts[0]) for m in acts)
    assert not any(getattr(m, "inplace", False) for m in model.modules())


def test_activation_factory_makes_new_modules() -> None:
    for name, make in ACTIVATIONS.items():
        a, b = make(), make()
        assert a is not b, name
        assert not getattr(a, "inplace", False), name


def test_guided_backprop_on_lenet5() -> None:
    torch.manual_seed(0)
    model = build_model(_cfg("lenet5", (1, 28, 28))).eval()
    x = torch.randn(2, 1, 28, 28, requires_grad=True)
    attr = GuidedBackprop(model).attribute(x, target=3)
    assert attr.shape == x.shape
    assert torch.isfinite(attr).all() and attr.abs().sum() > 0
    # GuidedBackprop clamps negative gradients at every ReLU module; if the model had used F.relu
    # (invisible to Captum) the result would equal the plain input gradient.
    x.grad = None
    model(x)[:, 3].sum().backward()
    assert not torch.allclose(attr, x.grad)


# --- initialisation -------------------------------------------------------------------------------


def _block2_conv(cfg: ModelConfig) -> nn.Conv2d:
    # VGG depth 2 width 32: block 2's first conv maps 32 -> 64 channels, so fan_in (288) differs
    # from fan_out (576) and the test tells the two modes apart.
    return build_model(cfg).conv2_1


def test_he_init_std() -> None:
    torch.manual_seed(0)
    conv = _block2_conv(_cfg("vgg", init="he"))
    fan_in = 32 * 3 * 3
    assert conv.weight.std().item() == pytest.approx(math.sqrt(2 / fan_in), rel=0.05)
    assert (conv.bias == 0).all()
    # tanh gets its own gain (5/3), and PyTorch's default is far narrower: 1/sqrt(3*fan_in)
    tanh = _block2_conv(_cfg("vgg", init="he", activation="tanh"))
    assert tanh.weight.std().item() == pytest.approx(5 / 3 / math.sqrt(fan_in), rel=0.05)
    default = _block2_conv(_cfg("vgg"))
    assert default.weight.std().item() == pytest.approx(1 / math.sqrt(3 * fan_in), rel=0.05)


def test_glorot_init() -> None:
    torch.manual_seed(0)
    model = build_model(_cfg("lenet5", (1, 28, 28), init="glorot"))
    layers = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    assert len(layers) == 5
    for layer in layers:
        assert (layer.bias == 0).all()
        fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(layer.weight)
        bound = math.sqrt(6 / (fan_in + fan_out))
        assert layer.weight.abs().max() <= bound
        assert layer.weight.abs().max() > 0.9 * bound  # uniform fills the whole interval


def test_default_init_keeps_nonzero_biases() -> None:
    model = build_model(_cfg("lenet5", (1, 28, 28)))
    assert model.conv1.bias.abs().sum() > 0
    assert set(INITS) == {"default", "glorot", "he"}


# --- config ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("cfg", [
    ModelConfig("lenet5", (1, 28, 28)),
    ModelConfig("resnet", (3, 32, 32), num_classes=100, activation="leaky_relu", init="he",
                batchnorm=True, dropout=0.25, depth=3, width=16),
])
def test_config_round_trip(cfg: ModelConfig) -> None:
    data = json.loads(json.dumps(cfg.to_dict()))
    assert ModelConfig.from_dict(data) == cfg
    out = build_model(ModelConfig.from_dict(data))(torch.randn(2, *cfg.in_shape))
    assert out.shape == (2, cfg.num_classes)


@pytest.mark.parametrize(("kw", "message"), [
    ({"arch": "alexnet"}, "unknown arch 'alexnet'"),
    ({"activation": "gelu"}, "unknown activation"),
    ({"init": "orthogonal"}, "unknown init"),
    ({"dropout": 1.0}, "dropout"),
    ({"dropout": -0.1}, "dropout"),
    ({"dropout": True}, "dropout"),
    ({"in_shape": (28, 28)}, "in_shape"),
    ({"in_shape": (1, 0, 28)}, "in_shape"),
    ({"in_shape": (1, 28.0, 28)}, "in_shape"),
    ({"in_shape": [1, 28, 28]}, "in_shape"),
    ({"num_classes": 0}, "num_classes"),
    ({"depth": 0}, "depth"),
    ({"depth": True}, "depth"),
    ({"width": 0}, "width"),
    ({"batchnorm": "yes"}, "batchnorm"),
])
def test_invalid_config(kw: dict, message: str) -> None:
    args = {"arch": "lenet5", "in_shape": (1, 28, 28), **kw}
    with pytest.raises(ValueError, match=message):
        ModelConfig(**args)


def test_from_dict_rejects_bad_input() -> None:
    good = ModelConfig("mlp", (1, 28, 28)).to_dict()
    with pytest.raises(ValueError, match="unknown ModelConfig keys"):
        ModelConfig.from_dict({**good, "lr": 0.1})
    with pytest.raises(ValueError, match="arch"):
        ModelConfig.from_dict({"in_shape": [1, 28, 28]})
    with pytest.raises(ValueError, match="in_shape"):
        ModelConfig.from_dict({**good, "in_shape": 28})


def test_describe() -> None:
    lenet = describe(_cfg("lenet5", (1, 28, 28), init="he"))
    assert lenet == "LeNet-5 · ReLU · He init · 61,706 parameters"
    line = describe(_cfg("vgg", activation="leaky_relu", batchnorm=True, dropout=0.5, width=8))
    assert line.startswith(
        "VGG (2 blocks, width 8) · Leaky ReLU · PyTorch init · BatchNorm · dropout 0.5 · "
    )
    count = param_count(build_model(_cfg("vgg", batchnorm=True, width=8)))
    assert line.endswith(f"{count:,} parameters")
    assert describe(_cfg("mlp", (1, 28, 28))).startswith("MLP 256-128 · ")
