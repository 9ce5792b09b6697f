"""Forward hooks that always come off again: the one place the app attaches hooks to a model.

``forward_hooks`` registers per-module callbacks for one ``with`` block and removes every handle
on the way out, also when the forward (or a callback) raises. ``no_new_hooks`` guards calls into
code that registers hooks of its own (Captum): whatever it leaves behind is removed. Models are
shared between students, so a hook that outlives its request would change every later result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import torch
from torch import Tensor, nn

__all__ = ["HOOK_DICTS", "OnCall", "OnOutput", "first_tensor", "forward_hooks", "hook_count",
           "no_new_hooks", "strip_hooks"]

# Every per-module hook registry of torch.nn.Module (forward, pre-forward, backward, state dict).
HOOK_DICTS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")

# (layer name, the positional inputs of this call) -> None
OnCall = Callable[[str, tuple], None]
# (layer name, its output) -> None to keep the output, or a tensor that replaces it downstream
OnOutput = Callable[[str, Any], Any]


def first_tensor(output: Any) -> Tensor | None:
    """The output itself if it is a tensor, else the first tensor of a tuple/list output."""
    if isinstance(output, Tensor):
        return output
    if isinstance(output, (tuple, list)):
        return next((t for t in output if isinstance(t, Tensor)), None)
    return None


@contextmanager
def forward_hooks(modules: Mapping[str, nn.Module], on_output: OnOutput | None = None,
                  on_call: OnCall | None = None) -> Iterator[None]:
    """Within the block, ``on_call(name, inputs)`` runs before and ``on_output(name, output)`` after each
    call of ``modules[name]``; every hook is removed at the end, however the block ends."""
    handles: list[torch.utils.hooks.RemovableHandle] = []

    def pre(name: str) -> Callable[..., None]:
        return lambda _module, args: on_call(name, args)  # type: ignore[misc]

    def post(name: str) -> Callable[..., Any]:
        return lambda _module, _args, output: on_output(name, output)  # type: ignore[misc]

    try:
        for name, module in modules.items():
            if on_call is not None:
                handles.append(module.register_forward_pre_hook(pre(name)))
            if on_output is not None:
                handles.append(module.register_forward_hook(post(name)))
        yield
    finally:
        for handle in handles:
            handle.remove()


def hook_count(model: nn.Module) -> int:
    """How many module hooks are attached anywhere in ``model`` (0 for a clean model)."""
    return sum(len(getattr(m, d)) for m in model.modules() for d in HOOK_DICTS)


def _hook_ids(model: nn.Module) -> dict[tuple[int, str], set[int]]:
    return {(id(m), d): set(getattr(m, d)) for m in model.modules() for d in HOOK_DICTS}


@contextmanager
def no_new_hooks(model: nn.Module) -> Iterator[None]:
    """Remove, on the way out, every module hook that appeared on ``model`` inside the block."""
    before = _hook_ids(model)
    try:
        yield
    finally:
        for module in model.modules():
            for d in HOOK_DICTS:
                registry = getattr(module, d)
                for hook_id in set(registry) - before.get((id(module), d), set()):
                    del registry[hook_id]


def strip_hooks(model: nn.Module) -> nn.Module:
    """Remove every module hook from ``model`` (a fresh copy must not carry another's hooks)."""
    for module in model.modules():
        for d in HOOK_DICTS:
            getattr(module, d).clear()
    return model
