"""Transfer learning: a run that starts from a trained model (a shipped checkpoint or a finished
run) instead of random weights, with a new classifier head and some layers frozen if asked.

``check_fit`` says in a translatable message why a source model does not fit a run;
``initial_model`` builds the model a run starts from. No Streamlit, no training loop.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from cnnviz.data.datasets import DATASETS
from cnnviz.errors import CnnvizError, register
from cnnviz.models import zoo
from cnnviz.models.builders import ACTIVATION_LABELS, ARCH_LABELS, ModelConfig, build_model
from cnnviz.models.checkpoints import CheckpointInfo, read_info
from cnnviz.text import untrusted
from cnnviz.train.runs import RunSpec, handcrafted_first_layer

__all__ = ["HEAD", "MESSAGES", "check_fit", "check_transfer", "freeze_layers", "frozen_names",
           "initial_model", "source_info"]

HEAD = "fc"  # every network of cnnviz.models.builders ends in a Linear classifier named fc
_SIZED = ("mlp", "vgg", "resnet")  # the architectures whose depth and width change their weights
_CLASSES_SHOWN = 4

MESSAGES = register({
    "tl_missing": ("The model to start from ({source}) has no saved weights: it was deleted, or it is a run "
                   "that has not finished its first epoch. Choose another model to start from."),
    "tl_shape": ("The model to start from takes images of {source} (channels × height × width), but the "
                 "{dataset} set has images of {run}. Its first layer fits only the images it was trained "
                 "on: choose a dataset of {source} images, or another model to start from."),
    "tl_arch": ("The model to start from is a {source}, this run's architecture is {run}: trained weights "
                "fit only the same network. Set the architecture to {source} in the Model tab."),
    "tl_activation": ("The model to start from learned with {source} activations, this run uses {run}: its "
                      "weights would meet different functions. Set the activation to {source}."),
    "tl_batchnorm_on": ("The model to start from has no BatchNorm layers, this run has: the weights "
                        "do not fit. Turn BatchNorm off in the Model tab."),
    "tl_batchnorm_off": ("The model to start from has BatchNorm layers, this run has none: the weights "
                         "do not fit. Turn BatchNorm on in the Model tab."),
    "tl_size": ("The model to start from has depth {source_depth} and width {source_width}, this run depth "
                "{run_depth} and width {run_width}: the weights fit only the same sizes. Set them in the "
                "Model tab."),
    "tl_classes": ("The model to start from tells apart {source} ({source_count} classes), the {dataset} set "
                   "has {run} ({run_count} classes): its head can only name the old classes. Replace the "
                   "head to train a new classifier for these."),
    "tl_no_convs": ("An MLP has no convolutions to freeze: freeze everything but the head, or nothing."),
})


def _shape(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def _classes(names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:_CLASSES_SHOWN]) + (", …" if len(names) > _CLASSES_SHOWN else "")
    return untrusted(shown)  # a run's checkpoint header is a file: its names are not our text


def _model_problem(run: ModelConfig, source: ModelConfig) -> CnnvizError | None:
    """Why ``source``'s weights do not fit the network ``run`` (ignoring the head's size), or None."""
    if run.arch != source.arch:
        return CnnvizError("tl_arch", run=ARCH_LABELS[run.arch], source=ARCH_LABELS[source.arch])
    if run.activation != source.activation:
        return CnnvizError("tl_activation", run=ACTIVATION_LABELS[run.activation],
                           source=ACTIVATION_LABELS[source.activation])
    if run.batchnorm != source.batchnorm:
        return CnnvizError("tl_batchnorm_on" if run.batchnorm else "tl_batchnorm_off")
    if run.arch in _SIZED and (run.depth, run.width) != (source.depth, source.width):
        return CnnvizError("tl_size", run_depth=run.depth, run_width=run.width, source_depth=source.depth,
                           source_width=source.width)
    return None


def check_fit(spec: RunSpec, source: CheckpointInfo) -> None:
    """CnnvizError saying what does not match when ``source`` cannot start ``spec``: the input shape,
    the architecture, the classes (unless the head is replaced), or a freeze the model cannot do."""
    info = DATASETS[spec.dataset]
    if source.in_shape != spec.model.in_shape:
        raise CnnvizError("tl_shape", source=_shape(source.in_shape), run=_shape(spec.model.in_shape),
                          dataset=spec.dataset)
    problem = _model_problem(spec.model, source.config)
    if problem is not None:
        raise problem
    if not spec.new_head and tuple(source.classes) != tuple(info.classes):
        raise CnnvizError("tl_classes", source=_classes(source.classes), source_count=len(source.classes),
                          run=_classes(info.classes), run_count=len(info.classes), dataset=spec.dataset)
    if spec.freeze == "features" and spec.model.arch == "mlp":
        raise CnnvizError("tl_no_convs")


def source_info(key: str, runs: Path | None = None) -> CheckpointInfo:
    """The header of the model ``key`` names; CnnvizError("tl_missing") when it has no file, a
    CheckpointError when the file is damaged."""
    try:
        return read_info(zoo.path_of(key, runs))
    except FileNotFoundError:
        raise CnnvizError("tl_missing", source=untrusted(key, 40)) from None


def check_transfer(spec: RunSpec, runs: Path | None = None) -> CheckpointInfo | None:
    """``check_fit`` against the model ``spec`` starts from (None when it starts from random weights)."""
    if not spec.init_from:
        return None
    source = source_info(spec.init_from, runs)
    check_fit(spec, source)
    return source


def frozen_names(model: nn.Module, how: str) -> list[str]:
    """Names of the parameters ``how`` freezes: "features" every convolution and its BatchNorm,
    "all_but_head" everything but the classifier, "none" nothing."""
    if how == "none":
        return []
    if how == "all_but_head":
        return [n for n, _ in model.named_parameters() if not n.startswith(f"{HEAD}.")]
    if how != "features":
        raise ValueError(f"freeze must be none, features or all_but_head, got {how!r}")
    names = []
    for prefix, module in model.named_modules():
        if isinstance(module, (nn.Conv2d, nn.BatchNorm2d)):
            names += [f"{prefix}.{n}" for n, _ in module.named_parameters(recurse=False)]
    return names


def freeze_layers(model: nn.Module, how: str) -> None:
    """Stop the parameters ``frozen_names`` lists from training (the optimiser skips them).
    BatchNorm's running statistics are buffers, not parameters: they still follow the new data."""
    frozen = set(frozen_names(model, how))
    for name, param in model.named_parameters():
        if name in frozen:
            param.requires_grad_(False)


def _load_source(model: nn.Module, spec: RunSpec, runs: Path | None) -> None:
    check_transfer(spec, runs)
    source, _ = zoo.load(spec.init_from, runs=runs)
    weights = source.state_dict()
    if spec.new_head:  # the model's own head stays: freshly initialised, sized for this dataset
        weights = {k: v for k, v in weights.items() if not k.startswith(f"{HEAD}.")}
    missing, unexpected = model.load_state_dict(weights, strict=False)
    if unexpected or any(not k.startswith(f"{HEAD}.") for k in missing) or (missing and not spec.new_head):
        raise ValueError(f"the starting weights do not fit: missing {missing}, unexpected {unexpected}")


def initial_model(spec: RunSpec, runs: Path | None = None, load: bool = True) -> nn.Module:
    """The model a run of ``spec`` starts from, as its first epoch sees it: seeded initialisation,
    then the hand-crafted first layer or the source model's weights, then the frozen layers.

    ``load=False`` skips reading the source (a resumed run: its resume point replaces the weights,
    and the source may have changed or gone since)."""
    torch.manual_seed(spec.train.seed)
    model = build_model(spec.model)
    if spec.first_layer == "handcrafted":
        handcrafted_first_layer(model, spec.freeze_first)
    if spec.init_from and load:
        _load_source(model, spec, runs)
    freeze_layers(model, spec.freeze)
    return model
