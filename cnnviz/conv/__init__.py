"""Convolution, pooling and transposed convolution worked out one cell at a time: the arithmetic and
its traces, the Convolution lab's state and presets, and the animated step view (its stylesheet and
scripts are files of this package)."""

__all__ = ["arithmetic", "convlab", "grids", "stepview", "transposed"]
