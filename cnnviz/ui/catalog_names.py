"""Names the library keeps in English, for cnnviz.ui.names: architectures, inits, devices (dataset names: mp_ds_*)."""

EN = {
    "nm_arch_vgg": "VGG ({depth} blocks, width {width})",
    "nm_arch_resnet": "ResNet ({depth} stages, width {width})",
    "nm_init_default": "PyTorch init",
    "nm_init_glorot": "Glorot init",
    "nm_init_he": "He init",
    "nm_dropout": "dropout {p:g}",
    "nm_params": "{n:,} parameters",
    "nm_percent": "{p:.1%}",
    "choose_options": "Choose one or more",
    "nm_cpu_one": "CPU ({n} thread)",
    "nm_cpu_other": "CPU ({n} threads)",
}

VI = {
    "nm_arch_vgg": "VGG ({depth} khối, độ rộng {width})",
    "nm_arch_resnet": "ResNet ({depth} tầng, độ rộng {width})",
    "nm_init_default": "khởi tạo PyTorch",
    "nm_init_glorot": "khởi tạo Glorot",
    "nm_init_he": "khởi tạo He",
    "nm_dropout": "dropout {p:g}",
    "nm_params": "{n:,} tham số",
    "nm_percent": "{p:.1%}",
    "choose_options": "Chọn một hoặc nhiều mục",
    "nm_cpu_one": "CPU ({n} luồng)",
    "nm_cpu_other": "CPU ({n} luồng)",
}
