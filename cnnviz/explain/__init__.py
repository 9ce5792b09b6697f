"""Looking inside a trained model: per-layer activations and the hooks that capture them,
attribution maps and how far they can be trusted, feature maps and their figures, the cost of one
picture through a model, the check that a picture looks like the training data, and the Inspect and
Attributions pages' state."""

__all__ = ["activations", "attribution", "attrstate", "budget", "domain", "hooks", "inputstate",
           "inspectstate", "mapfigures", "mapview", "scores"]
