"""Pictures in and out: defensive decoding of uploads and bundled samples, classic filters and
learned kernels, the Filters page's state and cards, turning a picture into a model's input, and the
drawing canvas as a model."""

__all__ = ["canvas", "filtercards", "filters", "filterstate", "images", "learned", "preprocess"]
