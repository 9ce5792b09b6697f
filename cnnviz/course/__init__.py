"""The course's pages in numbers: the classic architectures walked layer by layer and how each
number is computed, receptive fields, the inception module, BatchNorm and residual blocks,
downsampling, activation functions, augmentation, confusion matrices, and the Architectures and
Building-blocks pages' state and figures."""

__all__ = ["archexplain", "architectures", "augment", "blocks", "confusion", "course_plots", "coursestate",
           "downsample", "inception", "nonlinear", "receptive"]
