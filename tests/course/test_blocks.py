"""Building blocks against PyTorch: downsampling against F.max_pool2d / F.avg_pool2d / F.conv2d /
F.interpolate, BatchNorm's arithmetic against nn.BatchNorm2d (training and eval, every momentum),
activation derivatives from autograd against their closed forms, the vanishing product, the
convolutional head against the fully connected one, and each augmentation against the
torchvision line the page prints."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: F401 - the printed PyTorch lines are evaluated with this name
import torchvision.transforms as T  # noqa: F401 - the printed lines are evaluated with this name
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from cnnviz.course.augment import KINDS, augment, sample
from cnnviz.course.blocks import (BN_SHAPE, EPS, batchnorm_steps, batchnorm_torch, digit_strip, fully_convolutional,
                           head_input_shape, heads, sample_batch, score_map)
from cnnviz.course.coursestate import (AUG_SOURCES, MOMENTA, SECTIONS, ArchState, BlocksState, arch_from_query,
                                arch_to_query, blocks_from_query, blocks_to_query, momentum_value)
from cnnviz.course.downsample import (BLUR_KERNEL, FACTORS, METHODS, PICTURES, SIDE, downsample, footprint, picture,
                                      torch_line)
from cnnviz.course.nonlinear import (ELEMENTWISE, FUNCTIONS, chain_gradient, closed_form, derivative, max_derivative,
                              softmax_jacobian, value)
from cnnviz.data.datasets import make_digits, make_shapes
from cnnviz.models import zoo

# ---------------------------------------------------------------------------------------------
# Downsampling


def _torch_reference(x: torch.Tensor, method: str, f: int) -> torch.Tensor:
    """The PyTorch line the page prints, evaluated."""
    blur = torch.tensor(BLUR_KERNEL).expand(x.shape[1], 1, 3, 3)  # noqa: F841 - named in the line
    return eval(torch_line(method, f))  # noqa: S307 - our own line


@pytest.mark.parametrize("f", FACTORS)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", PICTURES)
def test_downsampling_equals_pytorch(name: str, method: str, f: int) -> None:
    img = picture(name)
    assert img.shape == (SIDE, SIDE, 3) and img.dtype == np.uint8
    x = np.transpose(img, (2, 0, 1)).astype(np.float64)
    ours = downsample(x, method, f)
    ref = _torch_reference(torch.from_numpy(x)[None], method, f)[0].numpy()
    assert ours.shape == ref.shape == (3, SIDE // f, SIDE // f)
    np.testing.assert_allclose(ours, ref, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(h=st.integers(8, 24), w=st.integers(8, 24), f=st.sampled_from(FACTORS), seed=st.integers(0, 99),
       method=st.sampled_from(METHODS))
def test_downsampling_equals_pytorch_on_any_size(h: int, w: int, f: int, seed: int, method: str) -> None:
    x = np.random.default_rng(seed).normal(size=(2, h, w))
    ref = _torch_reference(torch.from_numpy(x)[None], method, f)[0].numpy()
    np.testing.assert_allclose(downsample(x, method, f), ref, atol=1e-9)


@pytest.mark.parametrize("f", FACTORS)
@pytest.mark.parametrize("method", ["avg", "conv", "nearest", "bilinear"])
def test_footprint_is_what_one_output_reads(method: str, f: int) -> None:
    """Downsample a picture that is 1 at a single pixel: output (1, 1) then equals the footprint's weight
    at that pixel, for every pixel of the footprint's window (it starts at input f - 1)."""
    grid = footprint(method, f)
    for a in range(grid.shape[0]):
        for b in range(grid.shape[1]):
            x = np.zeros((1, 4 * f, 4 * f))
            x[0, f - 1 + a, f - 1 + b] = 1.0
            ref = _torch_reference(torch.from_numpy(x)[None], method, f)[0, 0, 1, 1].item()
            assert grid[a, b] == pytest.approx(ref, abs=1e-12), (a, b)
    assert grid.sum() == pytest.approx(1.0)


def test_bilinear_halving_is_average_pooling_and_nearest_keeps_one_pixel() -> None:
    x = np.random.default_rng(0).normal(size=(1, 16, 16))
    np.testing.assert_allclose(downsample(x, "bilinear", 2), downsample(x, "avg", 2), atol=1e-12)
    np.testing.assert_array_equal(downsample(x, "nearest", 4), x[:, ::4, ::4])
    assert np.isnan(footprint("max", 2)).sum() == 4


# ---------------------------------------------------------------------------------------------
# BatchNorm


@pytest.mark.parametrize("momentum", [0.1, 0.01, 0.5, 1.0, None])
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_batchnorm_steps_equal_nn_batchnorm2d(seed: int, momentum: float | None) -> None:
    x = sample_batch(seed)
    bn = nn.BatchNorm2d(x.shape[1], momentum=momentum, eps=EPS).double()
    with torch.no_grad():
        bn.weight.copy_(torch.tensor([1.5, 0.5]))
        bn.bias.copy_(torch.tensor([0.0, 1.0]))
        seen = 3  # some batches before this one, so the cumulative average (momentum=None) is tested
        warmup = torch.from_numpy(sample_batch(seed + 100))
        for _ in range(seen):
            bn.train()(warmup)
    rm0, rv0 = bn.running_mean.clone().numpy(), bn.running_var.clone().numpy()
    steps = batchnorm_steps(x, (1.5, 0.5), (0.0, 1.0), rm0, rv0, momentum, EPS, batches_seen=seen)
    xt = torch.from_numpy(x)
    y_train = bn.train()(xt).detach().numpy()
    np.testing.assert_allclose(steps.y_train, y_train, atol=1e-12)
    np.testing.assert_allclose(steps.running_mean, bn.running_mean.numpy(), atol=1e-12)
    np.testing.assert_allclose(steps.running_var, bn.running_var.numpy(), atol=1e-12)
    assert int(bn.num_batches_tracked) == seen + 1
    y_eval = bn.eval()(xt).detach().numpy()
    np.testing.assert_allclose(steps.y_eval, y_eval, atol=1e-12)


def test_batchnorm_uses_the_biased_variance_and_keeps_the_unbiased_one() -> None:
    x = sample_batch(3)
    steps = batchnorm_steps(x)
    n = steps.count
    assert n == BN_SHAPE[0] * BN_SHAPE[2] * BN_SHAPE[3]
    np.testing.assert_allclose(steps.var, x.var(axis=(0, 2, 3)))  # numpy's default divides by n
    np.testing.assert_allclose(steps.var_unbiased, x.var(axis=(0, 2, 3), ddof=1))
    np.testing.assert_allclose(steps.x_hat.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(steps.running_mean, 0.1 * x.mean(axis=(0, 2, 3)))  # from PyTorch's start (0, 1)
    assert (x == np.round(x)).all() and x.min() >= 0 and x.max() <= 9


# ---------------------------------------------------------------------------------------------
# Activations


@pytest.mark.parametrize("name", FUNCTIONS)
def test_autograd_derivatives_equal_closed_forms(name: str) -> None:
    xs = np.linspace(-6, 6, 241)  # includes 0 exactly
    np.testing.assert_allclose(derivative(name, xs), closed_form(name, xs), atol=1e-12)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_values_are_pytorchs_modules(name: str) -> None:
    modules = {"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "relu": nn.ReLU(), "leaky_relu": nn.LeakyReLU(0.01),
               "silu": nn.SiLU()}
    xs = np.linspace(-5, 5, 101)
    np.testing.assert_allclose(value(name, xs), modules[name](torch.from_numpy(xs)).numpy(), atol=1e-15)


def test_softmax_curve_and_jacobian() -> None:
    xs = np.linspace(-4, 4, 9)
    expected = np.exp(xs) / (np.exp(xs) + 2)  # the two other logits are 0
    np.testing.assert_allclose(value("softmax", xs), expected, atol=1e-12)
    auto, closed = softmax_jacobian(np.array([2.0, 1.0, 0.1]))
    np.testing.assert_allclose(auto, closed, atol=1e-12)
    np.testing.assert_allclose(auto.sum(axis=0), 0, atol=1e-12)  # probabilities always add up to 1


def test_largest_derivatives() -> None:
    assert max_derivative("sigmoid") == pytest.approx(0.25, abs=1e-8)
    assert max_derivative("tanh") == pytest.approx(1.0, abs=1e-8)
    assert max_derivative("relu") == 1.0
    assert 1.09 < max_derivative("silu") < 1.11


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_chain_gradient_is_the_product_of_derivatives(name: str) -> None:
    auto, product = chain_gradient(name, 20, seed=4)
    np.testing.assert_allclose(auto, product, rtol=1e-10, atol=1e-300)
    if name == "sigmoid":
        assert (auto <= 0.25 ** np.arange(1, 21) + 1e-300).all()
        assert auto[9] <= 0.25 ** 10


# ---------------------------------------------------------------------------------------------
# Fully connected head versus convolutions


def test_head_parameter_counts() -> None:
    parts = heads()
    fc = sum(layer.params for layer in parts["fc"])
    assert fc == (16 * 5 * 5 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10)
    assert sum(layer.params for layer in parts["conv"]) == fc
    assert sum(layer.params for layer in parts["gap"]) == 16 * 10 + 10
    lenet, _ = zoo.load("shipped:lenet5_digits")
    assert fc == sum(p.numel() for n, p in lenet.named_parameters() if n.startswith(("fc1", "fc2", "fc.")))


def test_convolutional_head_gives_the_same_scores_and_slides() -> None:
    lenet, _ = zoo.load("shipped:lenet5_digits")
    before = {k: v.clone() for k, v in lenet.state_dict().items()}
    conv = fully_convolutional(lenet)
    x, _ = make_digits(4, 5)
    xt = torch.from_numpy(x).float() / 255.0
    with torch.no_grad():
        np.testing.assert_allclose(conv(xt).flatten(1).numpy(), lenet(xt).numpy(), atol=1e-5)
    wide = torch.cat(list(xt[:3]), dim=-1)[None]  # three digits side by side: (1, 1, 28, 84)
    probs = score_map(conv, wide)
    assert probs.shape == (10, 1, ((84 // 2 - 4) // 2) - 4)
    torch.testing.assert_close(probs.sum(0), torch.ones(probs.shape[1:], dtype=torch.float64))
    assert all(torch.equal(v, lenet.state_dict()[k]) for k, v in before.items())  # the shared model is untouched


# ---------------------------------------------------------------------------------------------
# Augmentation


@pytest.mark.parametrize("kind", KINDS)
def test_each_augmentation_is_its_torchvision_line(kind: str) -> None:
    shapes, _ = make_shapes(2, 3)
    digits, _ = make_digits(1, 3)
    pictures = [np.transpose(shapes[0], (1, 2, 0)), np.repeat(np.transpose(digits[0], (1, 2, 0)), 3, axis=2),
                np.random.default_rng(1).integers(0, 256, (40, 56, 3), dtype=np.uint8)]
    changed = 0
    for img in pictures:
        for seed in range(12):
            state = torch.random.get_rng_state()
            shown = augment(img, kind, seed)
            assert torch.equal(torch.random.get_rng_state(), state)  # the global generator is left alone
            torch.manual_seed(seed)
            transform = eval(shown.line)  # noqa: S307 - our own line, exactly as the page prints it
            expected = transform(torch.from_numpy(np.ascontiguousarray(img)).permute(2, 0, 1)).permute(1, 2, 0)
            np.testing.assert_array_equal(shown.picture, expected.numpy())
            changed += not np.array_equal(shown.picture, img)
    assert changed >= 12  # the augmentations really change pictures (a flip sometimes leaves one alone)


# ---------------------------------------------------------------------------------------------
# URL state


def test_states_round_trip_through_links() -> None:
    arch = ArchState(arch="vgg16", layer="fc1", reduce3=96, reduce5=16, pool_proj=32, cm_model="shipped:vgg_shapes",
                     cell=(2, 7))
    assert arch_from_query(arch_to_query(arch)) == (arch, [])
    blocks = BlocksState(section="batchnorm", picture="camera", factor=4, strip="0519", bn_seed=12, momentum="none",
                         depth=25, aug_image="digit:7", aug_seed=3)
    assert blocks_from_query(blocks_to_query(blocks)) == (blocks, [])
    assert momentum_value("none") is None and momentum_value("0.01") == 0.01
    assert set(MOMENTA) and "upload" in AUG_SOURCES and SECTIONS[0] == BlocksState().section


@pytest.mark.parametrize("params", [{"arch": "vgg17"}, {"arch": "vgg16", "layer": "conv9_9"}, {"reduce3": "0"},
                                    {"reduce5": "9" * 30}, {"cm_model": "run:x"}, {"cell": "3"}, {"cell": "3,99"},
                                    {"cell": "a,b"}])
def test_bad_architecture_links_warn_and_fall_back(params: dict[str, str]) -> None:
    state, warnings = arch_from_query(params)
    name = list(params)[-1]  # the bad one
    assert [w[1]["name"] for w in warnings] == [name]
    default = ArchState()
    if name in ("arch", "reduce3", "reduce5", "cm_model", "cell"):
        assert getattr(state, name) == getattr(default, name)
    else:
        assert state.layer == "conv1_1"


@pytest.mark.parametrize("params", [{"section": "x"}, {"picture": "../etc"}, {"factor": "3"}, {"strip": "12a"},
                                    {"strip": ""}, {"bn_seed": "-1"}, {"momentum": "0.2"}, {"depth": "51"},
                                    {"aug_image": "shape:10"}, {"aug_seed": "1e3"}])
def test_bad_blocks_links_warn_and_fall_back(params: dict[str, str]) -> None:
    state, warnings = blocks_from_query(params)
    name = next(iter(params))
    assert [w[1]["name"] for w in warnings] == [name]
    assert getattr(state, name) == getattr(BlocksState(), name)


def test_digit_strip_and_the_heads_input() -> None:
    strip = digit_strip("3140")
    assert strip.shape == (28, 4 * 28) and strip.dtype == np.uint8
    digits, labels = make_digits(40, 11)
    first_three = digits[int(np.flatnonzero(labels == 3)[0]), 0]
    np.testing.assert_array_equal(strip[:, :28], first_three)
    lenet, _ = zoo.load("shipped:lenet5_digits")
    conv = fully_convolutional(lenet)
    assert head_input_shape(conv, torch.zeros(1, 1, 28, 28)) == (16, 5, 5)
    assert head_input_shape(conv, torch.zeros(1, 1, 28, 112)) == (16, 5, 26)


def test_the_pages_live_batchnorm_check_sees_a_wrong_step() -> None:
    steps = batchnorm_steps(sample_batch(2), momentum=0.1)
    assert batchnorm_torch(steps) < 1e-12
    wrong = batchnorm_steps(sample_batch(2), momentum=0.2)  # a different update than nn.BatchNorm2d(0.1) makes
    assert batchnorm_torch(replace(wrong, momentum=0.1)) > 1e-3


def test_samples_are_the_embedded_datasets() -> None:
    shapes, labels = make_shapes(40, 11)
    np.testing.assert_array_equal(sample("shape:4"), np.transpose(shapes[int(np.flatnonzero(labels == 4)[0])], (1, 2, 0)))
    assert sample("digit:0").shape == (28, 28, 3)
    for bad in ("shape:10", "photo:1", "digit:x"):
        with pytest.raises(ValueError):
            sample(bad)
