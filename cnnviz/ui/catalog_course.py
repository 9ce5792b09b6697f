"""UI text of the Architectures and Building-blocks pages, in English and Vietnamese (merged into
cnnviz.ui.catalog)."""

EN: dict[str, str] = {
    # navigation and home
    "nav_arch": "Architectures",
    "nav_blocks": "Building blocks",
    "card_arch_title": "Classic architectures",
    "card_arch_teaches": "LeNet-5, AlexNet, VGG-16, GoogLeNet and ResNet-18 layer by layer: output shapes, weights, "
                         "memory, multiply-adds and receptive fields, each with its formula; the idea each one "
                         "introduced; the inception module's 1×1 bottleneck; and a trained model's confusion matrix "
                         "whose cells open their images in Inspect.",
    "card_blocks_title": "Building blocks",
    "card_blocks_teaches": "Downsampling five ways side by side, a 1×1-convolution head instead of fully connected "
                           "layers, BatchNorm's arithmetic step by step, activation functions with their derivatives "
                           "and the vanishing product through depth, and data augmentation with the torchvision line "
                           "for each.",
    # architectures: picking
    "arch_title": "Classic CNN architectures",
    "arch_intro": "Five networks of the course, built from the real PyTorch modules. Every number below is computed "
                  "from the model and shown with the formula it comes from.",
    "arch_pick": "Architecture",
    "arch_source": "Built from `{source}` for an input of {h}×{w}×{c} (shapes only: no weights are needed).",
    "arch_open_inspect": "See {name}'s feature maps in Inspect",
    "arch_open_attr": "Explain {name}'s answers in Attributions",
    "arch_no_inspect": "The Inspect page has no {name} model; its parts appear in the inception module below.",
    "arch_no_weights": "Attributions need {name}'s trained weights, whose file is not on this server (Inspect runs "
                       "it with random weights).",
    # the ideas
    "arch_idea_lenet5": "**LeNet-5 (LeCun et al., 1998): convolution and pooling, stacked.** Each convolution finds "
                        "local patterns and each pooling halves the map, so the maps shrink while what they detect "
                        "grows: {sides} pixels across. Fully connected layers then read the last maps: {widths} "
                        "values. {params} parameters in all. This version pads the 28×28 picture to the paper's "
                        "32×32 and uses ReLU.",
    "arch_idea_alexnet": "**AlexNet (Krizhevsky et al., 2012): ReLU, dropout and overlapping pooling.** {relus} ReLU "
                         "layers instead of sigmoid or tanh keep the gradients alive and train several times faster. "
                         "Dropout (p = {p}) before {dropouts} fully connected layers switches half of their inputs "
                         "off at random during training, so that no unit can rely on another. Its {pools} max "
                         "pools use {k}×{k} windows with stride {s}: neighbouring windows share {overlap} row and "
                         "column (overlapping pooling). torchvision's version starts with 64 filters where the "
                         "paper had 96 split over two GPUs, and has no local response normalisation.",
    "arch_idea_vgg16": "**VGG-16 (Simonyan and Zisserman, 2014): only 3×3 convolutions, stacked.** Two 3×3 "
                       "convolutions see a {side2}×{side2} field with 2·3·3·C·C weights, where one {side2}×{side2} "
                       "convolution needs {side2}·{side2}·C·C: for C = {c}, {stacked2} against {single2}. Three "
                       "see {side3}×{side3}: {stacked3} against {single3}, with a ReLU after each. {convs} "
                       "convolution layers, all 3×3 with padding 1, and 2×2 max pooling between the blocks.",
    "arch_idea_googlenet": "**GoogLeNet (Szegedy et al., 2014): the inception module.** Instead of choosing one "
                           "kernel size, each module runs 1×1, 3×3 and 5×5 convolutions and a 3×3 max pool side by "
                           "side and stacks their outputs. It stays affordable because 1×1 convolutions first "
                           "shrink the number of channels (the bottleneck, worked out below). {modules} inception "
                           "modules and {params} parameters, fewer than AlexNet's.",
    "arch_idea_resnet18": "**ResNet-18 (He et al., 2015): the skip connection.** Each of its {blocks} blocks adds "
                          "its input back to its output: out = ReLU(F(x) + x). A block only has to learn the change "
                          "F(x), and the gradient reaches earlier layers through the + x even where F's own gradient "
                          "is tiny (∂(F(x) + x)/∂x = ∂F/∂x + 1). {identity} blocks add x itself; the {projected} "
                          "where the map halves and the channels double add a 1×1 convolution of x with stride 2. "
                          "{layers} layers with weights, the 18 of its name (the 1×1 shortcuts not counted).",
    # architectures: totals
    "arch_m_params": "Parameters",
    "arch_m_params_help": "Every weight and bias (BatchNorm's scale and shift included).",
    "arch_m_weights": "Weights without biases",
    "arch_m_weights_help": "The parameters minus the biases.",
    "arch_m_memory": "Activation values per picture",
    "arch_m_memory_help": "The input plus every new output of one forward pass. A ReLU that works in place makes no "
                          "new memory.",
    "arch_m_macs": "Multiply-adds",
    "arch_m_macs_help": "Of the convolutions and fully connected layers, for one picture; one multiply-add is two "
                        "floating-point operations.",
    "arch_m_rf": "Receptive field of {layer}",
    "arch_m_rf_help": "The side of the square of input pixels that can change one value of the last feature map.",
    "arch_memory_line": "Memory per picture: {input} (the input) + {layers} (layer outputs) = {values} values × 4 "
                        "bytes = {bytes} bytes ≈ {size}. Training keeps them all for the backward pass, for every "
                        "picture of the batch.",
    # architectures: the walk
    "arch_walk_header": "{name}, layer by layer ({n} rows)",
    "arch_walk_caption": "A block (a residual block, an inception module, a convolution + BatchNorm + ReLU unit) is "
                         "one row. Memory is what a row newly allocates: 0 for a ReLU that works in place and for "
                         "dropout at inference. Receptive field: the side of the input square one output value sees "
                         "(“all” after flattening); jump: how many input pixels lie between neighbouring outputs. "
                         "Click a row to explain it.",
    "arch_c_layer": "Layer",
    "arch_c_kind": "Type",
    "arch_c_shape": "Output H×W×C",
    "arch_c_values": "Values",
    "arch_c_weights": "Weights",
    "arch_c_params": "With biases",
    "arch_c_memory": "Memory",
    "arch_c_bytes": "Bytes",
    "arch_c_macs": "Mult-adds",
    "arch_c_rf": "Field",
    "arch_c_jump": "Jump",
    "arch_h_weights": "Weights without the biases: k·k·C_in·C_out for a convolution, inputs·outputs for a fully "
                      "connected layer.",
    "arch_h_params": "Weights and biases: every parameter of the row.",
    "arch_h_memory": "Values of new memory the row makes for one picture.",
    "arch_h_bytes": "The memory in bytes, at 4 bytes (float32) a value.",
    "arch_h_macs": "Multiply-adds of the row's convolutions and fully connected layers.",
    "arch_h_rf": "Receptive field: the side of the input square one output value can see.",
    "arch_h_jump": "Input pixels between two neighbouring output values.",
    "arch_m_bytes": "Memory per picture",
    "arch_m_bytes_help": "The activation values at 4 bytes each (float32), forward pass only.",
    "arch_rf_all": "all",
    "arch_bar_memory": "Memory (values)",
    "arch_bar_params": "Parameters",
    "arch_bar_axis": "count (log scale)",
    "arch_bar_caption": "Memory sits in the first layers (large maps), parameters in the last ones (fully "
                        "connected layers). The dotted line marks the layer explained below.",
    "arch_layer": "Layer to explain",
    "arch_f_side": "Output side:",
    "arch_f_values": "Values:",
    "arch_f_weights": "Weights:",
    "arch_f_params": "Weights + biases:",
    "arch_f_memory": "Memory:",
    "arch_f_macs": "Multiply-adds:",
    "arch_f_rf": "Receptive field r and jump j:",
    "arch_f_rf_all": "Receptive field: the whole picture (every input value reaches every output).",
    "arch_lenet_sum": "**LeNet-5's parameters, layer by layer:** `{line}`",
    "arch_vgg_header": "**The course's VGG-16 numbers, computed from torchvision's model:**",
    "arch_vgg_conv_values": "conv1_1 output values",
    "arch_vgg_conv_weights": "conv1_1 weights (no bias)",
    "arch_vgg_fc1_weights": "FC1 weights",
    "arch_vgg_total": "Parameters (weights + biases)",
    "arch_vgg_memory": "Memory per picture (forward pass)",
    "arch_googlenet_note": "torchvision's GoogLeNet uses 3×3 kernels in the branch the paper calls 5×5 (a known slip, "
                           "kept so that its published weights still load) and adds BatchNorm; the inception module "
                           "below uses the paper's 5×5.",
    # architectures: inception module
    "arch_inc_header": "The inception module: naive against 1×1 bottlenecks",
    "arch_inc_intro": "Input {side}×{side}×{c}. Branches: {n1} 1×1 filters, {n3} 3×3 filters, {n5} 5×5 filters "
                      "(padding keeps {side}×{side}) and a 3×3 max pool. A convolution of C_out filters of k×k on "
                      "C_in channels costs H·W·C_out·k·k·C_in multiplications. The bottleneck version adds 1×1 "
                      "convolutions before the 3×3 and 5×5 convolutions and after the pool; choose their widths:",
    "arch_inc_r3": "1×1 filters before the 3×3",
    "arch_inc_r5": "1×1 filters before the 5×5",
    "arch_inc_pp": "1×1 filters after the pool",
    "arch_inc_naive": "**Naive module**",
    "arch_inc_bottleneck": "**With 1×1 bottlenecks**",
    "arch_inc_conv": "{k}×{k} convolution",
    "arch_inc_reduce": "1×1 before the {k}×{k}",
    "arch_inc_pool_proj": "1×1 after the pool",
    "arch_inc_total": "Total: `{sum} = {total}` ≈ **{millions}M** multiplications",
    "arch_inc_shape": "{params} parameters (with biases); output {side}×{side}×{c}.",
    "arch_inc_ratio": "The bottleneck version needs **{ratio}×** fewer multiplications ({saved} fewer).",
    "arch_inc_naive_short": "naive",
    "arch_inc_bottleneck_short": "bottleneck",
    "arch_inc_pool_short": "pool",
    "arch_inc_axis": "multiplications",
    "arch_inc_course": "The course quotes about 854M multiplications for the naive module, as computed above, and "
                       "about 353M with bottlenecks. With the classic reductions to 64 channels the six products "
                       "add up to 271M (slides that list these same products and print 358M count the 3×3 product "
                       "twice). Move the sliders to see how the total follows the reduction widths.",
    # architectures: confusion matrix
    "arch_cm_header": "Where a trained model goes wrong: its confusion matrix",
    "arch_cm_intro": "A shipped model on its own validation images, regenerated exactly as it was scored. Row: the "
                     "true class; column: the model's answer. Click a cell to list its images.",
    "arch_cm_model": "Model",
    "arch_cm_option": "{arch} trained on {data} ({n} validation images)",
    "arch_cm_computing": "Regenerating the validation images and classifying them…",
    "arch_cm_accuracy": "Accuracy {acc} on {n} images (the checkpoint records {recorded}).",
    "arch_cm_true": "true class",
    "arch_cm_pred": "predicted class",
    "arch_cm_hover": "true %{customdata[2]} → predicted %{customdata[3]}: %{text} images",
    "arch_cm_click": "The diagonal holds the right answers. Colours are on a log scale, so that a few mistakes "
                     "still show.",
    "arch_cell_header": "**True class {true}, predicted {pred}** · images: {n}",
    "arch_cell_empty": "No image of this class got this answer.",
    "arch_cell_capped": "The first {shown} of {n} are shown.",
    "arch_cell_pick": "Picture to open",
    "arch_cell_open": "Open it in Inspect",
    "arch_cell_open_help": "Inspect gets this picture as your own picture (it stays in your session), with the same "
                           "model, and shows every feature map it makes.",
    # building blocks
    "blk_title": "Building blocks of a CNN",
    "blk_intro": "Five small experiments, each computed here and checked against PyTorch.",
    "blk_section": "Block",
    "blk_sec_downsample": "Downsampling",
    "blk_sec_head": "1×1 convolution head",
    "blk_sec_batchnorm": "BatchNorm",
    "blk_sec_activations": "Activation functions",
    "blk_sec_augment": "Data augmentation",
    # downsampling
    "blk_ds_intro": "The same picture made smaller in five ways. Under each result: which input pixels one output "
                    "value is made of (the output's own cell outlined in red) and the PyTorch call that gives the "
                    "same numbers.",
    "blk_picture": "Picture",
    "blk_factor": "Factor",
    "blk_pic_lines": "Thin lines and dots",
    "blk_pic_checker": "Fine checkerboard (3-pixel cells)",
    "blk_ds_original": "**Original** · {h}×{w}",
    "blk_ds_max": "Max pooling",
    "blk_ds_max_keeps": "Keeps the strongest value of each {f}×{f} window: thin bright lines and dots survive, but "
                        "where in the window they were is lost.",
    "blk_ds_avg": "Average pooling",
    "blk_ds_avg_keeps": "Keeps the mean of each {f}×{f} window: a smooth, slightly blurred picture, in which a thin "
                        "line fades to 1/{f} of its brightness.",
    "blk_ds_conv": "Strided convolution",
    "blk_ds_conv_keeps": "Keeps what its kernel measures (here a 3×3 blur) every {f} pixels; in a network the "
                         "kernel is learned. A 3×3 kernel with stride 4 never reads one row and one column in four.",
    "blk_ds_nearest": "Nearest-neighbour interpolation",
    "blk_ds_nearest_keeps": "Keeps one pixel of each {f}×{f} cell and drops the rest: sharp, but fine patterns turn "
                            "into false ones (aliasing) and thin lines can vanish.",
    "blk_ds_bilinear": "Bilinear interpolation",
    "blk_ds_bilinear_keeps": "Blends the pixels around each sample point: at ÷2 this is exactly average pooling; at "
                             "÷4 it reads only the middle 2×2 of each cell, so it aliases too.",
    # 1x1 convolution head
    "blk_head_intro": "“In Convolutional Nets, there is no such thing as fully-connected layers. There are only "
                      "convolution layers with 1x1 convolution kernels and a full connection table.” (Yann LeCun) "
                      "LeNet-5's classifier reads the 16 maps of 5×5 left after its last pooling. Written as "
                      "convolutions it has exactly the same weights:",
    "blk_head_fc": "Fully connected head",
    "blk_head_conv": "The same head as convolutions",
    "blk_head_gap": "1×1 convolution and global average pooling",
    "blk_head_params": "parameters",
    "blk_head_total": "**Total: {total} parameters**",
    "blk_head_same": "The first two heads compute the same function: fc1's 120×400 weights are 120 kernels of "
                     "16×5×5, and the 1×1 convolutions are fc2 and fc. The third, as in Network in Network and "
                     "GoogLeNet, drops the hidden layers and averages each class's map over the picture. What the "
                     "convolutional form gains is that it takes pictures of any size: the shipped LeNet-5's own "
                     "weights, rewritten as convolutions, read a row of digits at every position.",
    "blk_strip": "Digits side by side",
    "blk_strip_help": "1 to 6 digits (0-9).",
    "blk_strip_bad": "Type 1 to 6 digits (0-9); the previous digits are kept.",
    "blk_strip_caption": "28×{w} pixels: generated digits like those the model trained on.",
    "blk_head_fc_fails": "The fully connected head cannot read it: after the last pooling this picture gives "
                         "{c}·{h}·{w} = {got} values, and fc1 takes exactly {need}. The convolutional head slides "
                         "over them instead:",
    "blk_score_x": "position (one every 4 pixels)",
    "blk_score_y": "digit",
    "blk_score_reading": "The most likely digit at each of the {positions} positions: **{read}**. Where the "
                         "28-pixel window sits on one digit the model reads it; between two digits it guesses.",
    # BatchNorm
    "blk_bn_intro": "A mini-batch goes through `nn.BatchNorm2d` by hand. Per channel: the mean μ and variance σ² "
                    "over every sample and position, then x̂ = (x − μ)/√(σ² + ε), then scale and shift with the "
                    "learned γ and β. Training also updates running estimates of the mean and variance, and eval "
                    "mode uses those instead of the batch's own.",
    "blk_bn_seed": "Batch (seed)",
    "blk_bn_new": "New batch",
    "blk_bn_momentum": "Momentum",
    "blk_bn_cumulative": "none (cumulative average)",
    "blk_bn_shape": "Input (N, C, H, W) = ({n}, {c}, {h}, {w}): {count} values per channel; ε = {eps}; the running "
                    "mean and variance start at PyTorch's 0 and 1.",
    "blk_bn_channel": "**Channel {c}** (γ = {gamma}, β = {beta}): the batch",
    "blk_bn_position": "position ({row}, {col})",
    "blk_bn_sample": "sample {n}",
    "blk_bn_mean": "Mean μ =",
    "blk_bn_var": "Variance σ², divided by n (used to normalise) =",
    "blk_bn_norm": "Normalise, first value: x̂ =",
    "blk_bn_scale": "Scale and shift, first value: y = γ·x̂ + β =",
    "blk_bn_running_mean": "Running mean ← (1 − momentum)·old + momentum·μ:",
    "blk_bn_running_var": "Running variance ← (1 − momentum)·old + momentum·σ²·n/(n − 1), the unbiased variance:",
    "blk_bn_eval": "Eval mode uses the running statistics instead, first value: y =",
    "blk_bn_eval_note": "After one step the running estimates have moved only a tenth of the way (momentum 0.1) from "
                        "their start at 0 and 1, so eval mode's outputs are far from training mode's: running "
                        "statistics need many batches to settle.",
    "blk_bn_torch": "`nn.BatchNorm2d` on the same batch, in training and then in eval mode, differs from these "
                    "numbers by at most {diff}.",
    # activation functions
    "blk_act_intro": "Each derivative is computed by autograd (`torch.autograd.grad`) and checked against its closed "
                     "form: σ′ = σ(1 − σ), tanh′ = 1 − tanh², ReLU′ = 1 for x > 0 and 0 otherwise, Leaky ReLU′ = 1 "
                     "or 0.01, SiLU′ = σ(x)(1 + x(1 − σ(x))), and for softmax ∂p/∂x = p(1 − p).",
    "blk_act_softmax": "softmax (class 0 of 3; the other logits are 0)",
    "blk_act_values": "f(x)",
    "blk_act_slopes": "f′(x), by autograd",
    "blk_act_check": "Autograd against the closed forms: at most {gap} apart, over {n} points per function.",
    "blk_depth_intro": "Backpropagation multiplies one derivative per layer. Through a chain x_l = f(x_(l−1) + b_l) "
                       "the gradient is the product Π f′(z_l). Sigmoid′ is at most 1/4, so after L layers the "
                       "gradient is at most (1/4)^L whatever the weights: it vanishes. ReLU′ is 1 wherever the "
                       "unit is on.",
    "blk_depth": "Depth L",
    "blk_depth_bound": "(1/4)^L: sigmoid's ceiling",
    "blk_depth_x": "depth L",
    "blk_depth_y": "|∂x_L/∂x_0|",
    "blk_depth_relu": "The biases b_l are drawn at random (seed 0). A ReLU that receives a negative input passes "
                      "no gradient at all: its line stops there (a 0 has no place on a log axis).",
    "blk_act_col_f": "function",
    "blk_act_col_max": "largest f′",
    "blk_act_col_bound": "(largest f′)^{L}",
    "blk_act_col_chain": "this chain at L = {L}",
    "blk_depth_sigmoid": "Sigmoid through {L} layers: the gradient is at most 0.25^{L} = **{bound}**.",
    "blk_softmax_jacobian": "Softmax has a full Jacobian, ∂p_i/∂z_j = p_i(δ_ij − p_j). At z = ({z}), by autograd:",
    "blk_softmax_check": "diag(p) − p·pᵀ differs by at most {gap}. Each column adds up to 0: raising one logit takes "
                         "probability from the others.",
    # augmentation
    "blk_aug_intro": "Each augmentation on a few seeds. The random choices are drawn as torchvision draws them, so "
                     "the line shown, run after `torch.manual_seed(seed)`, gives exactly these pictures.",
    "blk_aug_source": "Picture",
    "blk_aug_shape": "Generated shape: {name}",
    "blk_aug_digit": "Generated digit {digit}",
    "blk_aug_seed": "First seed",
    "blk_aug_next": "Next seeds",
    "blk_aug_original": "Original, {w}×{h} pixels",
    "blk_aug_k_flip": "Horizontal flip",
    "blk_aug_k_crop": "Random crop after padding",
    "blk_aug_k_rotation": "Rotation",
    "blk_aug_k_jitter": "Colour jitter",
    "blk_aug_k_erasing": "Random erasing",
    "blk_aug_seeds": "seeds {first} to {last} below",
    "blk_aug_caption": "seed {seed}: {drawn}",
    "blk_aug_flipped": "flipped",
    "blk_aug_not_flipped": "not flipped (p = 0.5)",
    "blk_aug_shift": "moved by (down, right) = ({down}, {right}) pixels",
    "blk_aug_angle": "{angle}°",
    "blk_aug_erased": "{h}×{w} box at ({top}, {left})",
    "blk_aug_not_erased": "no box fitted",
}

VI: dict[str, str] = {
    # navigation and home
    "nav_arch": "Kiến trúc",
    "nav_blocks": "Khối xây dựng",
    "card_arch_title": "Các kiến trúc kinh điển",
    "card_arch_teaches": "LeNet-5, AlexNet, VGG-16, GoogLeNet và ResNet-18 qua từng lớp: kích thước đầu ra, trọng số, "
                         "bộ nhớ, số phép nhân-cộng và vùng tiếp nhận, mỗi con số kèm công thức; ý tưởng mà mỗi mạng "
                         "đưa ra; nút thắt cổ chai 1×1 của mô-đun inception; và ma trận nhầm lẫn của một mô hình đã "
                         "huấn luyện, nhấn vào một ô để mở các ảnh của nó trong trang Soi mô hình.",
    "card_blocks_title": "Các khối xây dựng",
    "card_blocks_teaches": "Năm cách giảm kích thước ảnh đặt cạnh nhau, đầu phân loại bằng tích chập 1×1 thay cho "
                           "các lớp kết nối đầy đủ, phép tính của BatchNorm từng bước, các hàm kích hoạt cùng đạo "
                           "hàm và tích các đạo hàm làm gradient tiêu biến qua độ sâu, và tăng cường dữ liệu kèm "
                           "dòng lệnh torchvision cho từng phép.",
    # architectures: picking
    "arch_title": "Các kiến trúc CNN kinh điển",
    "arch_intro": "Năm mạng trong bài giảng, dựng từ chính các mô-đun PyTorch. Mọi con số bên dưới đều được tính từ "
                  "mô hình và hiển thị cùng công thức tạo ra nó.",
    "arch_pick": "Kiến trúc",
    "arch_source": "Dựng từ `{source}` cho đầu vào {h}×{w}×{c} (chỉ cần kích thước, không cần trọng số).",
    "arch_open_inspect": "Xem các bản đồ đặc trưng của {name} trong trang Soi mô hình",
    "arch_open_attr": "Giải thích câu trả lời của {name} trong trang Giải thích",
    "arch_no_inspect": "Trang Soi mô hình không có mô hình {name}; các thành phần của nó có trong mô-đun inception "
                       "bên dưới.",
    "arch_no_weights": "Trang Giải thích cần trọng số đã huấn luyện của {name}, nhưng máy chủ này không có tệp đó "
                       "(trang Soi mô hình chạy nó với trọng số ngẫu nhiên).",
    # the ideas
    "arch_idea_lenet5": "**LeNet-5 (LeCun và cộng sự, 1998): xếp chồng tích chập và gộp.** Mỗi lớp tích chập tìm các "
                        "mẫu cục bộ, mỗi lớp gộp thu nhỏ bản đồ một nửa, nên bản đồ nhỏ dần trong khi thứ nó phát "
                        "hiện lớn dần: {sides} điểm ảnh mỗi chiều. Sau đó các lớp kết nối đầy đủ đọc những bản đồ "
                        "cuối: {widths} giá trị. Tổng cộng {params} tham số. Phiên bản này đệm ảnh 28×28 thành "
                        "32×32 như đầu vào trong bài báo, và dùng ReLU.",
    "arch_idea_alexnet": "**AlexNet (Krizhevsky và cộng sự, 2012): ReLU, dropout và gộp chồng lấn.** {relus} lớp ReLU "
                         "thay cho sigmoid hay tanh giữ cho gradient không tắt và huấn luyện nhanh hơn nhiều lần. "
                         "Dropout (p = {p}) trước {dropouts} lớp kết nối đầy đủ tắt ngẫu nhiên một nửa đầu vào của "
                         "chúng khi huấn luyện, để không nơ-ron nào dựa dẫm vào nơ-ron khác. {pools} lớp gộp cực "
                         "đại dùng cửa sổ {k}×{k} với bước trượt {s}: hai cửa sổ liền nhau chung {overlap} hàng và "
                         "cột (gộp chồng lấn). Bản của torchvision bắt đầu bằng 64 bộ lọc, trong khi bài báo có 96 "
                         "bộ lọc chia trên hai GPU, và không có chuẩn hoá phản hồi cục bộ (LRN).",
    "arch_idea_vgg16": "**VGG-16 (Simonyan và Zisserman, 2014): chỉ dùng tích chập 3×3, xếp chồng.** Hai lớp tích "
                       "chập 3×3 nhìn thấy vùng {side2}×{side2} với 2·3·3·C·C trọng số, trong khi một lớp "
                       "{side2}×{side2} cần {side2}·{side2}·C·C: với C = {c}, {stacked2} so với {single2}. Ba lớp "
                       "nhìn thấy {side3}×{side3}: {stacked3} so với {single3}, và sau mỗi lớp có thêm một ReLU. "
                       "{convs} lớp tích chập, tất cả đều 3×3 với đệm 1, và gộp cực đại 2×2 giữa các khối.",
    "arch_idea_googlenet": "**GoogLeNet (Szegedy và cộng sự, 2014): mô-đun inception.** Thay vì chọn một kích thước "
                           "kernel, mỗi mô-đun chạy song song tích chập 1×1, 3×3, 5×5 và một lớp gộp cực đại 3×3, "
                           "rồi ghép các đầu ra lại. Nó vẫn rẻ vì các tích chập 1×1 thu nhỏ số kênh trước (nút thắt "
                           "cổ chai, được tính chi tiết bên dưới). {modules} mô-đun inception và {params} tham số, "
                           "ít hơn AlexNet.",
    "arch_idea_resnet18": "**ResNet-18 (He và cộng sự, 2015): kết nối tắt.** Mỗi khối trong {blocks} khối cộng đầu "
                          "vào của nó vào đầu ra: out = ReLU(F(x) + x). Khối chỉ cần học phần thay đổi F(x), và "
                          "gradient đi về các lớp phía trước qua phần + x ngay cả khi gradient của F rất nhỏ "
                          "(∂(F(x) + x)/∂x = ∂F/∂x + 1). {identity} khối cộng chính x; {projected} khối ở chỗ bản "
                          "đồ nhỏ đi một nửa và số kênh tăng gấp đôi thì cộng một tích chập 1×1 bước trượt 2 của x. "
                          "{layers} lớp có trọng số, chính là con số 18 trong tên (không tính các tích chập tắt 1×1).",
    # architectures: totals
    "arch_m_params": "Tham số",
    "arch_m_params_help": "Mọi trọng số và độ lệch (bias), kể cả hệ số co giãn và dịch của BatchNorm.",
    "arch_m_weights": "Trọng số không tính bias",
    "arch_m_weights_help": "Số tham số trừ đi các bias.",
    "arch_m_memory": "Giá trị kích hoạt mỗi ảnh",
    "arch_m_memory_help": "Đầu vào cộng mọi đầu ra mới của một lượt lan truyền xuôi. Một ReLU chạy tại chỗ (in place) "
                          "không cấp phát bộ nhớ mới.",
    "arch_m_macs": "Phép nhân-cộng",
    "arch_m_macs_help": "Của các lớp tích chập và kết nối đầy đủ, cho một ảnh; một phép nhân-cộng là hai phép tính "
                        "dấu phẩy động.",
    "arch_m_rf": "Vùng tiếp nhận của {layer}",
    "arch_m_rf_help": "Cạnh của hình vuông điểm ảnh đầu vào có thể làm thay đổi một giá trị của bản đồ đặc trưng "
                      "cuối cùng.",
    "arch_memory_line": "Bộ nhớ cho mỗi ảnh: {input} (đầu vào) + {layers} (đầu ra các lớp) = {values} giá trị × 4 "
                        "byte = {bytes} byte ≈ {size}. Khi huấn luyện, tất cả được giữ lại cho lượt lan truyền "
                        "ngược, cho mỗi ảnh trong lô.",
    # architectures: the walk
    "arch_walk_header": "{name}, từng lớp một ({n} hàng)",
    "arch_walk_caption": "Một khối (khối dư, mô-đun inception, cụm tích chập + BatchNorm + ReLU) là một hàng. Bộ nhớ "
                         "là phần một hàng cấp phát mới: bằng 0 với ReLU chạy tại chỗ và với dropout khi suy luận. "
                         "Vùng tiếp nhận: cạnh của hình vuông đầu vào mà một giá trị đầu ra nhìn thấy (“toàn bộ” "
                         "sau khi duỗi phẳng); bước nhảy: số điểm ảnh đầu vào giữa hai đầu ra liền nhau. Nhấn vào "
                         "một hàng để xem giải thích.",
    "arch_c_layer": "Lớp",
    "arch_c_kind": "Kiểu",
    "arch_c_shape": "Đầu ra H×W×C",
    "arch_c_values": "Số giá trị",
    "arch_c_weights": "Trọng số",
    "arch_c_params": "Kèm bias",
    "arch_c_memory": "Bộ nhớ",
    "arch_c_bytes": "Byte",
    "arch_c_macs": "Nhân-cộng",
    "arch_c_rf": "Vùng nhận",
    "arch_c_jump": "Bước nhảy",
    "arch_h_weights": "Trọng số không tính bias: k·k·C_in·C_out với lớp tích chập, số đầu vào·số đầu ra với lớp kết "
                      "nối đầy đủ.",
    "arch_h_params": "Trọng số và bias: mọi tham số của hàng.",
    "arch_h_memory": "Số giá trị bộ nhớ mới mà hàng này tạo ra cho một ảnh.",
    "arch_h_bytes": "Bộ nhớ tính bằng byte, 4 byte (float32) mỗi giá trị.",
    "arch_h_macs": "Số phép nhân-cộng của các lớp tích chập và kết nối đầy đủ trong hàng.",
    "arch_h_rf": "Vùng tiếp nhận: cạnh của hình vuông đầu vào mà một giá trị đầu ra nhìn thấy.",
    "arch_h_jump": "Số điểm ảnh đầu vào giữa hai giá trị đầu ra liền nhau.",
    "arch_m_bytes": "Bộ nhớ cho mỗi ảnh",
    "arch_m_bytes_help": "Các giá trị kích hoạt, 4 byte mỗi giá trị (float32), chỉ lượt lan truyền xuôi.",
    "arch_rf_all": "toàn bộ",
    "arch_bar_memory": "Bộ nhớ (giá trị)",
    "arch_bar_params": "Tham số",
    "arch_bar_axis": "số lượng (thang log)",
    "arch_bar_caption": "Bộ nhớ nằm ở các lớp đầu (bản đồ lớn), tham số nằm ở các lớp cuối (kết nối đầy đủ). Đường "
                        "chấm đánh dấu lớp được giải thích bên dưới.",
    "arch_layer": "Lớp cần giải thích",
    "arch_f_side": "Cạnh đầu ra:",
    "arch_f_values": "Số giá trị:",
    "arch_f_weights": "Trọng số:",
    "arch_f_params": "Trọng số + bias:",
    "arch_f_memory": "Bộ nhớ:",
    "arch_f_macs": "Phép nhân-cộng:",
    "arch_f_rf": "Vùng tiếp nhận r và bước nhảy j:",
    "arch_f_rf_all": "Vùng tiếp nhận: toàn bộ ảnh (mọi giá trị đầu vào đều ảnh hưởng tới mọi đầu ra).",
    "arch_lenet_sum": "**Tham số của LeNet-5, từng lớp một:** `{line}`",
    "arch_vgg_header": "**Các con số VGG-16 trong bài giảng, tính từ mô hình của torchvision:**",
    "arch_vgg_conv_values": "Số giá trị đầu ra của conv1_1",
    "arch_vgg_conv_weights": "Trọng số của conv1_1 (không bias)",
    "arch_vgg_fc1_weights": "Trọng số của FC1",
    "arch_vgg_total": "Tham số (trọng số + bias)",
    "arch_vgg_memory": "Bộ nhớ cho mỗi ảnh (lan truyền xuôi)",
    "arch_googlenet_note": "GoogLeNet của torchvision dùng kernel 3×3 ở nhánh mà bài báo gọi là 5×5 (một lỗi đã biết, "
                           "được giữ lại để trọng số đã công bố vẫn nạp được) và có thêm BatchNorm; mô-đun inception "
                           "bên dưới dùng 5×5 như bài báo.",
    # architectures: inception module
    "arch_inc_header": "Mô-đun inception: bản đơn giản so với bản có nút thắt cổ chai 1×1",
    "arch_inc_intro": "Đầu vào {side}×{side}×{c}. Các nhánh: {n1} bộ lọc 1×1, {n3} bộ lọc 3×3, {n5} bộ lọc 5×5 (đệm "
                      "giữ nguyên {side}×{side}) và một lớp gộp cực đại 3×3. Một lớp tích chập gồm C_out bộ lọc k×k "
                      "trên C_in kênh tốn H·W·C_out·k·k·C_in phép nhân. Bản có nút thắt thêm tích chập 1×1 trước "
                      "tích chập 3×3 và 5×5 và sau lớp gộp; hãy chọn số bộ lọc của chúng:",
    "arch_inc_r3": "Số bộ lọc 1×1 trước 3×3",
    "arch_inc_r5": "Số bộ lọc 1×1 trước 5×5",
    "arch_inc_pp": "Số bộ lọc 1×1 sau lớp gộp",
    "arch_inc_naive": "**Mô-đun đơn giản**",
    "arch_inc_bottleneck": "**Có nút thắt cổ chai 1×1**",
    "arch_inc_conv": "Tích chập {k}×{k}",
    "arch_inc_reduce": "1×1 trước {k}×{k}",
    "arch_inc_pool_proj": "1×1 sau lớp gộp",
    "arch_inc_total": "Tổng: `{sum} = {total}` ≈ **{millions} triệu** phép nhân",
    "arch_inc_shape": "{params} tham số (kể cả bias); đầu ra {side}×{side}×{c}.",
    "arch_inc_ratio": "Bản có nút thắt cần ít hơn **{ratio} lần** số phép nhân (bớt {saved}).",
    "arch_inc_naive_short": "đơn giản",
    "arch_inc_bottleneck_short": "nút thắt",
    "arch_inc_pool_short": "gộp",
    "arch_inc_axis": "số phép nhân",
    "arch_inc_course": "Bài giảng nêu khoảng 854 triệu phép nhân cho mô-đun đơn giản, đúng như tính ở trên, và "
                       "khoảng 353 triệu khi có nút thắt. Với cách giảm cổ điển xuống 64 kênh, sáu tích trên cộng "
                       "lại được 271 triệu (các slide liệt kê đúng sáu tích này nhưng ghi 358 triệu đã tính tích "
                       "3×3 hai lần). Kéo các thanh trượt để xem tổng thay đổi theo số bộ lọc giảm kênh.",
    # architectures: confusion matrix
    "arch_cm_header": "Mô hình đã huấn luyện sai ở đâu: ma trận nhầm lẫn",
    "arch_cm_intro": "Một mô hình đi kèm ứng dụng trên chính các ảnh kiểm định của nó, được tạo lại đúng như lúc chấm "
                     "điểm. Hàng: nhãn đúng; cột: câu trả lời của mô hình. Nhấn vào một ô để xem các ảnh trong đó.",
    "arch_cm_model": "Mô hình",
    "arch_cm_option": "{arch} huấn luyện trên {data} ({n} ảnh kiểm định)",
    "arch_cm_computing": "Đang tạo lại các ảnh kiểm định và phân loại chúng…",
    "arch_cm_accuracy": "Độ chính xác {acc} trên {n} ảnh (checkpoint ghi {recorded}).",
    "arch_cm_true": "nhãn đúng",
    "arch_cm_pred": "nhãn dự đoán",
    "arch_cm_hover": "đúng là %{customdata[2]} → đoán %{customdata[3]}: %{text} ảnh",
    "arch_cm_click": "Đường chéo là các câu trả lời đúng. Màu theo thang log để vài lỗi sai vẫn nhìn thấy được.",
    "arch_cell_header": "**Nhãn đúng {true}, dự đoán {pred}** · số ảnh: {n}",
    "arch_cell_empty": "Không có ảnh nào thuộc nhãn này nhận câu trả lời này.",
    "arch_cell_capped": "Hiển thị {shown} ảnh đầu tiên trong {n} ảnh.",
    "arch_cell_pick": "Ảnh cần mở",
    "arch_cell_open": "Mở ảnh trong trang Soi mô hình",
    "arch_cell_open_help": "Trang Soi mô hình nhận ảnh này như ảnh của riêng bạn (chỉ nằm trong phiên làm việc của "
                           "bạn), cùng mô hình này, và hiển thị mọi bản đồ đặc trưng mà ảnh tạo ra.",
    # building blocks
    "blk_title": "Các khối xây dựng của CNN",
    "blk_intro": "Năm thí nghiệm nhỏ, mỗi thí nghiệm đều được tính tại đây và đối chiếu với PyTorch.",
    "blk_section": "Khối",
    "blk_sec_downsample": "Giảm kích thước",
    "blk_sec_head": "Đầu phân loại tích chập 1×1",
    "blk_sec_batchnorm": "BatchNorm",
    "blk_sec_activations": "Hàm kích hoạt",
    "blk_sec_augment": "Tăng cường dữ liệu",
    # downsampling
    "blk_ds_intro": "Cùng một ảnh được thu nhỏ theo năm cách. Dưới mỗi kết quả: một giá trị đầu ra được tạo từ những "
                    "điểm ảnh đầu vào nào (ô của chính đầu ra đó được viền đỏ) và lệnh PyTorch cho ra đúng các con "
                    "số ấy.",
    "blk_picture": "Ảnh",
    "blk_factor": "Hệ số",
    "blk_pic_lines": "Đường mảnh và chấm",
    "blk_pic_checker": "Bàn cờ mịn (ô 3 điểm ảnh)",
    "blk_ds_original": "**Ảnh gốc** · {h}×{w}",
    "blk_ds_max": "Gộp cực đại (max pooling)",
    "blk_ds_max_keeps": "Giữ giá trị mạnh nhất của mỗi cửa sổ {f}×{f}: các đường sáng mảnh và các chấm còn lại, "
                        "nhưng vị trí của chúng trong cửa sổ thì mất.",
    "blk_ds_avg": "Gộp trung bình (average pooling)",
    "blk_ds_avg_keeps": "Giữ giá trị trung bình của mỗi cửa sổ {f}×{f}: ảnh mượt và hơi mờ, trong đó một đường mảnh "
                        "chỉ còn 1/{f} độ sáng.",
    "blk_ds_conv": "Tích chập có bước trượt",
    "blk_ds_conv_keeps": "Giữ thứ mà kernel đo được (ở đây là làm mờ 3×3) sau mỗi {f} điểm ảnh; trong mạng, kernel "
                         "được học. Kernel 3×3 với bước trượt 4 không bao giờ đọc một hàng và một cột trong mỗi bốn.",
    "blk_ds_nearest": "Nội suy láng giềng gần nhất",
    "blk_ds_nearest_keeps": "Giữ một điểm ảnh của mỗi ô {f}×{f} và bỏ phần còn lại: sắc nét, nhưng các hoa văn mịn "
                            "biến thành hoa văn giả (răng cưa, aliasing) và đường mảnh có thể biến mất.",
    "blk_ds_bilinear": "Nội suy song tuyến",
    "blk_ds_bilinear_keeps": "Trộn các điểm ảnh quanh mỗi điểm lấy mẫu: ở ÷2 đúng bằng gộp trung bình; ở ÷4 nó chỉ "
                             "đọc 2×2 điểm ở giữa mỗi ô, nên cũng bị răng cưa.",
    # 1x1 convolution head
    "blk_head_intro": "“Trong mạng tích chập không có cái gọi là lớp kết nối đầy đủ. Chỉ có các lớp tích chập với "
                      "kernel 1×1 và một bảng kết nối đầy đủ.” (Yann LeCun) Đầu phân loại của LeNet-5 đọc 16 bản đồ "
                      "5×5 còn lại sau lớp gộp cuối. Viết dưới dạng tích chập, nó có đúng chừng ấy trọng số:",
    "blk_head_fc": "Đầu phân loại kết nối đầy đủ",
    "blk_head_conv": "Cùng đầu phân loại đó, viết bằng tích chập",
    "blk_head_gap": "Tích chập 1×1 và gộp trung bình toàn cục",
    "blk_head_params": "tham số",
    "blk_head_total": "**Tổng: {total} tham số**",
    "blk_head_same": "Hai đầu đầu tiên tính cùng một hàm: 120×400 trọng số của fc1 chính là 120 kernel 16×5×5, còn "
                     "các tích chập 1×1 là fc2 và fc. Đầu thứ ba, như trong Network in Network và GoogLeNet, bỏ các "
                     "lớp ẩn và lấy trung bình bản đồ của từng nhãn trên toàn ảnh. Dạng tích chập có lợi ở chỗ nhận "
                     "được ảnh mọi kích thước: chính trọng số của LeNet-5 đi kèm ứng dụng, viết lại thành tích chập, "
                     "đọc một dãy chữ số ở mọi vị trí.",
    "blk_strip": "Các chữ số đặt cạnh nhau",
    "blk_strip_help": "Từ 1 đến 6 chữ số (0-9).",
    "blk_strip_bad": "Hãy gõ từ 1 đến 6 chữ số (0-9); vẫn giữ các chữ số trước đó.",
    "blk_strip_caption": "28×{w} điểm ảnh: các chữ số được tạo giống như dữ liệu mô hình đã học.",
    "blk_head_fc_fails": "Đầu kết nối đầy đủ không đọc được ảnh này: sau lớp gộp cuối, ảnh cho {c}·{h}·{w} = {got} "
                         "giá trị, còn fc1 nhận đúng {need}. Đầu tích chập thì trượt trên chúng:",
    "blk_score_x": "vị trí (cứ 4 điểm ảnh một vị trí)",
    "blk_score_y": "chữ số",
    "blk_score_reading": "Chữ số có khả năng cao nhất ở mỗi vị trí trong {positions} vị trí: **{read}**. Khi cửa sổ "
                         "28 điểm ảnh nằm trên một chữ số, mô hình đọc được nó; giữa hai chữ số thì nó đoán.",
    # BatchNorm
    "blk_bn_intro": "Một lô nhỏ đi qua `nn.BatchNorm2d`, tính bằng tay. Với mỗi kênh: trung bình μ và phương sai σ² "
                    "trên mọi mẫu và mọi vị trí, rồi x̂ = (x − μ)/√(σ² + ε), rồi co giãn và dịch bằng γ và β đã học. "
                    "Khi huấn luyện, lớp này còn cập nhật ước lượng trung bình và phương sai chạy (running), và chế "
                    "độ eval dùng các ước lượng đó thay cho thống kê của lô.",
    "blk_bn_seed": "Lô (seed)",
    "blk_bn_new": "Lô mới",
    "blk_bn_momentum": "Momentum",
    "blk_bn_cumulative": "không có (trung bình tích luỹ)",
    "blk_bn_shape": "Đầu vào (N, C, H, W) = ({n}, {c}, {h}, {w}): {count} giá trị mỗi kênh; ε = {eps}; trung bình và "
                    "phương sai chạy bắt đầu từ 0 và 1 như PyTorch.",
    "blk_bn_channel": "**Kênh {c}** (γ = {gamma}, β = {beta}): lô dữ liệu",
    "blk_bn_position": "vị trí ({row}, {col})",
    "blk_bn_sample": "mẫu {n}",
    "blk_bn_mean": "Trung bình μ =",
    "blk_bn_var": "Phương sai σ², chia cho n (dùng để chuẩn hoá) =",
    "blk_bn_norm": "Chuẩn hoá, giá trị đầu tiên: x̂ =",
    "blk_bn_scale": "Co giãn và dịch, giá trị đầu tiên: y = γ·x̂ + β =",
    "blk_bn_running_mean": "Trung bình chạy ← (1 − momentum)·cũ + momentum·μ:",
    "blk_bn_running_var": "Phương sai chạy ← (1 − momentum)·cũ + momentum·σ²·n/(n − 1), tức phương sai không chệch:",
    "blk_bn_eval": "Chế độ eval dùng thống kê chạy thay thế, giá trị đầu tiên: y =",
    "blk_bn_eval_note": "Sau một bước, các ước lượng chạy mới chỉ đi được một phần mười quãng đường (momentum 0.1) "
                        "từ điểm xuất phát 0 và 1, nên đầu ra ở chế độ eval khác xa chế độ huấn luyện: thống kê "
                        "chạy cần nhiều lô mới ổn định.",
    "blk_bn_torch": "`nn.BatchNorm2d` trên cùng lô này, ở chế độ huấn luyện rồi chế độ eval, lệch so với các con số "
                    "trên nhiều nhất {diff}.",
    # activation functions
    "blk_act_intro": "Mỗi đạo hàm được tính bằng autograd (`torch.autograd.grad`) và đối chiếu với công thức tường "
                     "minh: σ′ = σ(1 − σ), tanh′ = 1 − tanh², ReLU′ = 1 khi x > 0 và 0 trong các trường hợp còn "
                     "lại, Leaky ReLU′ = 1 hoặc 0.01, SiLU′ = σ(x)(1 + x(1 − σ(x))), và với softmax ∂p/∂x = p(1 − p).",
    "blk_act_softmax": "softmax (nhãn 0 trong 3; các logit còn lại bằng 0)",
    "blk_act_values": "f(x)",
    "blk_act_slopes": "f′(x), tính bằng autograd",
    "blk_act_check": "Autograd so với công thức tường minh: lệch nhiều nhất {gap}, trên {n} điểm mỗi hàm.",
    "blk_depth_intro": "Lan truyền ngược nhân một đạo hàm cho mỗi lớp. Qua chuỗi x_l = f(x_(l−1) + b_l), gradient là "
                       "tích Π f′(z_l). Sigmoid′ không quá 1/4, nên sau L lớp gradient không quá (1/4)^L, dù trọng "
                       "số thế nào: gradient tiêu biến. ReLU′ bằng 1 ở mọi chỗ nơ-ron đang bật.",
    "blk_depth": "Độ sâu L",
    "blk_depth_bound": "(1/4)^L: trần của sigmoid",
    "blk_depth_x": "độ sâu L",
    "blk_depth_y": "|∂x_L/∂x_0|",
    "blk_depth_relu": "Các bias b_l được rút ngẫu nhiên (seed 0). Một ReLU nhận đầu vào âm thì không cho gradient "
                      "nào đi qua: đường của nó dừng ở đó (số 0 không có chỗ trên trục log).",
    "blk_act_col_f": "hàm",
    "blk_act_col_max": "f′ lớn nhất",
    "blk_act_col_bound": "(f′ lớn nhất)^{L}",
    "blk_act_col_chain": "chuỗi này tại L = {L}",
    "blk_depth_sigmoid": "Sigmoid qua {L} lớp: gradient không quá 0.25^{L} = **{bound}**.",
    "blk_softmax_jacobian": "Softmax có cả một ma trận Jacobi, ∂p_i/∂z_j = p_i(δ_ij − p_j). Tại z = ({z}), tính bằng "
                            "autograd:",
    "blk_softmax_check": "diag(p) − p·pᵀ lệch nhiều nhất {gap}. Mỗi cột cộng lại bằng 0: tăng một logit thì lấy bớt "
                         "xác suất của các logit khác.",
    # augmentation
    "blk_aug_intro": "Mỗi phép tăng cường trên vài seed. Các lựa chọn ngẫu nhiên được rút đúng như torchvision rút, "
                     "nên dòng lệnh hiển thị, chạy sau `torch.manual_seed(seed)`, cho ra đúng những ảnh này.",
    "blk_aug_source": "Ảnh",
    "blk_aug_shape": "Hình được tạo: {name}",
    "blk_aug_digit": "Chữ số được tạo: {digit}",
    "blk_aug_seed": "Seed đầu tiên",
    "blk_aug_next": "Các seed tiếp theo",
    "blk_aug_original": "Ảnh gốc, {w}×{h} điểm ảnh",
    "blk_aug_k_flip": "Lật ngang",
    "blk_aug_k_crop": "Cắt ngẫu nhiên sau khi đệm",
    "blk_aug_k_rotation": "Xoay",
    "blk_aug_k_jitter": "Thay đổi màu ngẫu nhiên",
    "blk_aug_k_erasing": "Xoá ngẫu nhiên một vùng",
    "blk_aug_seeds": "các seed từ {first} đến {last} bên dưới",
    "blk_aug_caption": "seed {seed}: {drawn}",
    "blk_aug_flipped": "đã lật",
    "blk_aug_not_flipped": "không lật (p = 0.5)",
    "blk_aug_shift": "dịch (xuống, sang phải) = ({down}, {right}) điểm ảnh",
    "blk_aug_angle": "{angle}°",
    "blk_aug_erased": "vùng {h}×{w} tại ({top}, {left})",
    "blk_aug_not_erased": "không đặt vừa vùng nào",
}
