"""UI text of the Convolution lab's operations (groups, flipped kernel, pooling of the convolution,
the step player, questions), in English and Vietnamese (merged into cnnviz.ui.catalog)."""

EN: dict[str, str] = {
    "pool_intro_conv": "As the course draws it: the convolution's output goes through ReLU (negatives become 0), "
                       "then pooling keeps one number per window: the largest (max) or the mean (average).",
    "pool_intro_input": "Pooling slides a window over the input and keeps one number per window: the largest "
                        "(max) or the mean (average). It has no weights to learn.",
    "pool_of": "Pool what",
    "pool_of_conv": "Convolution → ReLU → pooling",
    "pool_of_input": "The input itself",
    "pool_conventions": "As the app computes it (PyTorch's max_pool2d / avg_pool2d defaults): no padding, and the "
                        "output size is rounded down (floor), so a window that would run past the edge is dropped. "
                        "The stride is the window size unless you change it.",
    "conv_settings_header": "Convolution before the pooling",
    "groups": "Groups",
    "groups_help": "Split the channels into groups: each filter reads only its group's input channels. "
                   "Groups = input channels is a depthwise convolution. Groups must divide both channel counts.",
    "flip": "True convolution (flip the kernel)",
    "flip_note": "CNN libraries (PyTorch's conv2d, TensorFlow, OpenCV's filter2D) compute cross-correlation: the "
                 "kernel is laid on the input as it is. True convolution, as in mathematics and signal processing, "
                 "first turns the kernel by 180°. A network learns the turned kernel just as well.",
    "err_groups": "{groups} groups cannot split {c_in} input and {c_out} output channels evenly: the number of "
                  "groups must divide both.",
    "sv_relu_conv": "ReLU",
    "sv_kernel_flipped": "Kernel (flipped)",
    "one_by_one_note": "A 1×1 convolution mixes channels: each output cell is a weighted sum of the {c_in} input "
                       "values at the same position, one set of weights per output channel ({c_out}).",
    "pc_layer": "Layer (same C_in, C_out, K)",
    "pc_params": "Parameters",
    "pc_full": "Full convolution (groups = 1)",
    "pc_grouped": "Grouped convolution (groups = {g})",
    "pc_separable": "Depthwise {k}×{k} + 1×1 (separable)",
    "pc_pointwise": "1×1 convolution (channel mixing)",
    "apply_typed": "Apply the typed numbers",
    "apply_typed_help": "The numbers apply when you click this button, press Ctrl+Enter, or leave the box.",
    "apply_typed_note": "Type numbers in a box, then click Apply.",
    "q_lab_out_size": "Input size {n}, kernel {k}, padding {p} in total, stride {s}, dilation {d}: how many rows has "
                      "the output?",
    "q_lab_stride_fits": "Input size {n}, kernel {k}, padding {p} in total, stride {s}, dilation {d}: does the "
                         "stride fit exactly (the last window ends at the edge)?",
    "q_lab_cell": "What is the value of output cell (row {row}, column {col}) in output channel {channel}?",
    "view_transpose": "Transposed",
    "transpose_intro": "A transposed convolution runs the other way: each input cell scatters a copy of the kernel, "
                       "multiplied by that cell's value, into a larger output; where copies overlap they add up. "
                       "Networks use it to upsample (decoders, segmentation, GAN generators).",
    "output_padding": "Output padding OP",
    "output_padding_help": "Extra rows and columns at the bottom and right of the output, so that a transposed "
                           "convolution can undo the size of a strided one exactly. PyTorch needs OP smaller than "
                           "the stride or the dilation.",
    "transpose_padding_help": "Here padding crops: P rows and columns are cut from each side of the full scatter.",
    "err_transpose_same": "Padding 'same' has no meaning for a transposed convolution here: choose a number of "
                          "cells to crop.",
    "err_output_padding": "Output padding {op} must be smaller than the stride ({stride}) or the dilation "
                          "({dilation}), as in PyTorch.",
    "err_transpose_crop": "Padding {p} crops the whole {h}×{w} scatter away: use less padding.",
    "err_transpose_big": "These settings scatter onto {h}×{w} cells, more than the {max}×{max} the step view can "
                         "show readably: use a smaller input, stride, kernel or dilation.",
    "selected_input_header": "Selected input cell",
    "step_label_input": "Step **{s}** of {n}: input cell (row {i}, column {j}) scattered into map {c}",
    "sv_cropped": "cropped",
    "sv_scatter_output": "Scatter before cropping",
    "transpose_output_note": "Each output cell is the sum of everything scattered onto it (plus the bias); the "
                             "step view shows the full scatter, with the cells that padding crops faded.",
    "q_lab_transpose_size": "Transposed convolution: input size {n}, kernel {k}, stride {s}, padding {p}, output "
                            "padding {op}, dilation {d}. How many rows has the output?",
}

VI: dict[str, str] = {
    "pool_intro_conv": "Như trong bài giảng: đầu ra của tích chập qua ReLU (số âm thành 0), rồi pooling giữ một số "
                       "cho mỗi cửa sổ: số lớn nhất (max) hoặc trung bình (average).",
    "pool_intro_input": "Pooling trượt một cửa sổ trên đầu vào và giữ một số cho mỗi cửa sổ: số lớn nhất (max) "
                        "hoặc trung bình (average). Nó không có trọng số nào để học.",
    "pool_of": "Pooling trên",
    "pool_of_conv": "Tích chập → ReLU → pooling",
    "pool_of_input": "Chính đầu vào",
    "pool_conventions": "Cách ứng dụng tính (mặc định của max_pool2d / avg_pool2d trong PyTorch): không đệm, và "
                        "kích thước đầu ra làm tròn xuống (floor), nên cửa sổ nào vượt quá mép thì bị bỏ. "
                        "Bước trượt bằng kích thước cửa sổ nếu bạn không đổi.",
    "conv_settings_header": "Tích chập trước pooling",
    "groups": "Số nhóm (groups)",
    "groups_help": "Chia các kênh thành nhóm: mỗi bộ lọc chỉ đọc các kênh đầu vào của nhóm mình. Số nhóm bằng số "
                   "kênh đầu vào là tích chập theo chiều sâu (depthwise). Số nhóm phải chia hết cả hai số kênh.",
    "flip": "Tích chập thật (lật kernel)",
    "flip_note": "Các thư viện CNN (conv2d của PyTorch, TensorFlow, filter2D của OpenCV) tính tương quan chéo "
                 "(cross-correlation): kernel được đặt lên đầu vào như nguyên bản. Tích chập thật, như trong toán "
                 "học và xử lý tín hiệu, xoay kernel 180° trước. Mạng học kernel đã xoay cũng tốt như vậy.",
    "err_groups": "{groups} nhóm không chia đều được {c_in} kênh đầu vào và {c_out} kênh đầu ra: số nhóm phải "
                  "chia hết cả hai.",
    "sv_relu_conv": "ReLU",
    "sv_kernel_flipped": "Kernel (đã lật)",
    "one_by_one_note": "Tích chập 1×1 trộn các kênh: mỗi ô đầu ra là tổng có trọng số của {c_in} giá trị đầu vào "
                       "ở cùng vị trí, mỗi kênh đầu ra ({c_out}) một bộ trọng số.",
    "pc_layer": "Lớp (cùng C_in, C_out, K)",
    "pc_params": "Số tham số",
    "pc_full": "Tích chập đầy đủ (groups = 1)",
    "pc_grouped": "Tích chập nhóm (groups = {g})",
    "pc_separable": "Depthwise {k}×{k} + 1×1 (tách được)",
    "pc_pointwise": "Tích chập 1×1 (trộn kênh)",
    "apply_typed": "Áp dụng các số đã gõ",
    "apply_typed_help": "Các số được áp dụng khi bạn bấm nút này, nhấn Ctrl+Enter, hoặc rời khỏi ô.",
    "apply_typed_note": "Gõ số vào ô, rồi bấm Áp dụng.",
    "q_lab_out_size": "Kích thước đầu vào {n}, kernel {k}, tổng đệm {p}, bước trượt {s}, độ giãn {d}: đầu ra có bao "
                      "nhiêu hàng?",
    "q_lab_stride_fits": "Kích thước đầu vào {n}, kernel {k}, tổng đệm {p}, bước trượt {s}, độ giãn {d}: bước trượt "
                         "có vừa khít không (cửa sổ cuối kết thúc đúng ở mép)?",
    "q_lab_cell": "Ô đầu ra (hàng {row}, cột {col}) của kênh đầu ra {channel} có giá trị bao nhiêu?",
    "view_transpose": "Chuyển vị",
    "transpose_intro": "Tích chập chuyển vị chạy theo chiều ngược lại: mỗi ô đầu vào rải một bản sao của kernel, "
                       "nhân với giá trị của ô đó, vào một đầu ra lớn hơn; chỗ các bản sao chồng lên nhau thì cộng "
                       "lại. Mạng dùng nó để phóng to (bộ giải mã, phân vùng ảnh, bộ sinh của GAN).",
    "output_padding": "Đệm đầu ra OP",
    "output_padding_help": "Thêm hàng và cột ở dưới và bên phải đầu ra, để tích chập chuyển vị hoàn tác đúng kích "
                           "thước của một tích chập có bước trượt. PyTorch cần OP nhỏ hơn bước trượt hoặc độ giãn.",
    "transpose_padding_help": "Ở đây đệm là cắt bớt: P hàng và cột bị cắt ở mỗi phía của phần rải đầy đủ.",
    "err_transpose_same": "Đệm 'same' không có nghĩa với tích chập chuyển vị ở đây: hãy chọn số ô cần cắt.",
    "err_output_padding": "Đệm đầu ra {op} phải nhỏ hơn bước trượt ({stride}) hoặc độ giãn ({dilation}), như trong "
                          "PyTorch.",
    "err_transpose_crop": "Đệm {p} cắt mất toàn bộ phần rải {h}×{w}: hãy dùng ít đệm hơn.",
    "err_transpose_big": "Các thiết lập này rải lên {h}×{w} ô, nhiều hơn {max}×{max} ô mà hình từng bước có thể hiển "
                         "thị dễ đọc: hãy dùng đầu vào, bước trượt, kernel hoặc độ giãn nhỏ hơn.",
    "selected_input_header": "Ô đầu vào đang chọn",
    "step_label_input": "Bước **{s}** / {n}: ô đầu vào (hàng {i}, cột {j}) rải vào bản đồ {c}",
    "sv_cropped": "bị cắt",
    "sv_scatter_output": "Phần rải trước khi cắt",
    "transpose_output_note": "Mỗi ô đầu ra là tổng mọi thứ được rải lên nó (cộng bias); hình từng bước cho thấy "
                             "phần rải đầy đủ, các ô bị đệm cắt đi thì mờ hơn.",
    "q_lab_transpose_size": "Tích chập chuyển vị: kích thước đầu vào {n}, kernel {k}, bước trượt {s}, đệm {p}, đệm "
                            "đầu ra {op}, độ giãn {d}. Đầu ra có bao nhiêu hàng?",
}
