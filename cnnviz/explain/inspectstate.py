"""State of the Inspect page's walk through the layers and its URL form (``layer=conv2``).

The layers a model has are known only once it is loaded, so ``from_query`` takes them: a layer the
model does not have becomes its first layer plus a translatable warning; ``to_query`` writes the
layer back. The model and the picture are cnnviz.explain.inputstate's. No Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cnnviz.text import untrusted

__all__ = ["InspectState", "Message", "from_query", "to_query"]

Message = tuple[str, dict[str, object]]  # (catalog key, format arguments)


@dataclass(frozen=True)
class InspectState:
    layer: str  # a layer of the walk (cnnviz.explain.activations.walk_layers)


def from_query(params: Mapping[str, str], layers: Sequence[str]) -> tuple[InspectState, list[Message]]:
    """The walk's layer a link names, if the model has it; else its first layer (and a warning when
    the link named one). ``layers`` are the walk's layers in forward order, at least one."""
    wanted = params.get("layer")
    if wanted is None or wanted in layers:
        return InspectState(layers[0] if wanted is None else wanted), []
    return InspectState(layers[0]), [("warn_url_value", {"name": "layer", "value": untrusted(wanted, 40)})]


def to_query(s: InspectState) -> dict[str, str]:
    return {"layer": s.layer}
