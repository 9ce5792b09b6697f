"""Models: the builders behind ``build_model(cfg)``, the zoo of every model the app offers,
checkpoint files, the shipped checkpoints and the command that rebuilds them, and torchvision's
pretrained classifiers."""

__all__ = ["builders", "checkpoints", "pretrained", "shipped", "zoo"]
