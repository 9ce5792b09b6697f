"""Datasets: the registry of embedded synthetic sets and torchvision sets, digits drawn the way
students draw them (for training and for evaluation), and fetching downloadable files ahead of an
offline class."""

__all__ = ["datasets", "drawings", "prefetch", "strokes"]
