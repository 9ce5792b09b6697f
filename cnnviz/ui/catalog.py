"""UI text in English and Vietnamese. Every key exists in both catalogs (a test checks)."""

EN = {
    # shared
    "language": "Language",
    "device_line": "Computing on: {device}",
    "warn_url_lang": "The link asks for language '{value}', which the app does not have; showing English.",
    "nav_home": "Home",
    "nav_conv": "Convolution",
    # home
    "home_title": "cnnviz: see inside a convolutional network",
    "home_intro": "Interactive lessons on how convolutional neural networks compute. Every number is "
                  "shown and every control can be changed. Pick a page:",
    "card_conv_title": "Convolution lab",
    "card_conv_teaches": "Slide a kernel over an input step by step: every product, every sum, every output "
                         "cell. Change kernel size, stride, padding and dilation and watch the output-size "
                         "formula, the parameter count and the matching `nn.Conv2d` line follow. Max and "
                         "average pooling too.",
    "device_header": "Compute device",
    "device_text": "This server computes on **{device}** (PyTorch {torch}).",
    # URL warnings
    "warn_url_range": "The link's value `{name}={value}` is not a whole number from {low} to {high}; using {default}.",
    "warn_url_choice": "The link's value `{name}={value}` is not one of {choices}; using {default}.",
    "warn_url_matrix": "The link's `{name}` could not be read ({reason}); using the default.",
    "warn_url_channels": "The link's `{name}` has {count} channels; at most {high} are allowed. Using the default.",
    "warn_url_kernel_shape": "The link's kernel has {count} matrices, which does not fit {c_in} input channel(s) "
                             "(it needs one square K×K matrix per input channel for each of 1-4 filters). "
                             "Using the default kernel.",
    # errors that are not the library's own
    "err_unexpected": "Something went wrong ({kind}); the details are in the server's log. Try again, or choose "
                      "other settings.",
    "err_storage": "The server could not read or write its files (its disk may be full, or a folder cannot be "
                   "written). The details are in the server's log.",
    "err_out_of_memory": "The server ran out of memory for this. Try a smaller picture, model or setting.",
    # matrix errors
    "err_kept_last": "Not applied: {reason}. The last valid matrix is still used.",
    # settings problems
    "err_pool_too_big": "A {k}×{k} pooling window does not fit in a {h}×{w} input. Use a smaller window.",
    "err_same_stride": "Padding 'same' keeps the output as large as the input, which only works with stride 1 "
                       "(stride is {stride}). Choose a number of padding cells instead, or stride 1.",
    "err_kernel_too_big": "The kernel reaches across {span} cells (with dilation), but the padded input is only "
                          "{h}×{w}. There is no position where it fits: use a smaller kernel or dilation, "
                          "or add padding.",
    # page
    "conv_title": "Convolution lab",
    "conv_intro": "A convolution slides a small kernel over the input. At each position it multiplies the "
                  "overlapping numbers pair by pair and adds the products up: that sum is one output cell.",
    "input_header": "Input",
    "preset": "Preset",
    "in_custom": "Custom (as typed)",
    "k_custom": "Custom (as typed)",
    "in_course": "Course example (5×5)",
    "in_pool_example": "Pooling example (4×4)",
    "in_vertical_edge": "Vertical edge",
    "in_horizontal_edge": "Horizontal edge",
    "in_diagonal": "Diagonal edge",
    "in_checkerboard": "Checkerboard",
    "in_ramp": "Ramp",
    "in_random": "Random (new each time)",
    "in_image": "Patch of a photo",
    "rows": "Rows",
    "cols": "Columns",
    "channels_in": "Channels",
    "sample_image": "Photo",
    "fixed_size_preset": "This preset has a fixed size; choose another preset to use the size controls.",
    "channel_n": "Channel {n}",
    "matrix_help": "One row per line, numbers separated by spaces or commas.",
    "kernel_header": "Kernel",
    "k_identity": "Identity",
    "k_box_blur": "Box blur",
    "k_gaussian": "Gaussian blur",
    "k_sobel_x": "Sobel x (vertical edges)",
    "k_sobel_y": "Sobel y (horizontal edges)",
    "k_laplacian": "Laplacian",
    "k_sharpen": "Sharpen",
    "k_emboss": "Emboss",
    "k_course": "Course example (X)",
    "k_random": "Random (new each time)",
    "kernel_size": "Kernel size K",
    "kernel_size_help": "Presets such as Sobel exist only as 3×3; pick Identity, blur or Random to use other sizes.",
    "channels_out": "Filters (output channels)",
    "filter_shown": "Filter shown",
    "kernel_channel_n": "Weights on input channel {n}",
    "use_bias": "Add a bias",
    "bias_values": "Bias, one value per filter ({n})",
    "operation": "Operation",
    "view_conv": "Convolution",
    "view_pool": "Pooling",
    "stride": "Stride S",
    "padding": "Padding P",
    "pad_same": "same (output as large as input)",
    "pad_valid": "valid (no padding)",
    "padding_help": "Rows and columns of zeros added around the input.",
    "dilation": "Dilation D",
    "pool_kind": "Pooling",
    "pool_max": "Max",
    "pool_avg": "Average",
    "pool_size": "Window size",
    "pool_stride": "Pooling stride",
    "prev": "Back",
    "next": "Next",
    "step_label": "Step **{s}** of {n}: output cell (row {i}, column {j}) of map {c}",
    "sv_play": "Play",
    "sv_pause": "Pause",
    "sv_prev": "Back",
    "sv_next": "Next",
    "sv_first": "First",
    "sv_last": "Last",
    "sv_step": "Step",
    "sv_of": "of",
    "sv_input": "Input",
    "sv_kernel": "Kernel",
    "sv_output": "Output",
    "sv_padding": "padding",
    "sv_channel": "channel",
    "sv_speed": "Speed",
    "sv_bias": "bias",
    "step_view_alt": "Animated step view of the convolution: the window on the input, the kernel and the output",
    "output_header": "Output: {c} map(s) of {h}×{w}",
    "output_map_n": "Map {n}",
    "click_to_jump": "Click any output cell to see how it was computed.",
    "selected_header": "Selected output cell",
    "formula_header": "Output size",
    "stride_misfit": "The stride does not fit evenly: before rounding down the output size would be {exact}, "
                     "not a whole number. The kernel takes only {size} step(s) of {stride}; what is left over "
                     "at the end is never reached.",
    "uncovered": "Input {what} never covered by any window: {idx} (counted from 0).",
    "rows_word": "rows",
    "rows_cols_word": "rows and columns",
    "cols_word": "columns",
    "layer_header": "The same layer in PyTorch",
    "param_count": "Learnable parameters: {formula}",
    # filters page
    "nav_filters": "Filters",
    "card_filters_title": "Filters",
    "card_filters_teaches": "Classic hand-made edge detectors (Sobel, Scharr, Prewitt, Roberts, Laplacian) and "
                            "smoothing filters, computed with OpenCV on real photos, test patterns or your own "
                            "image: the kernel, the response, and proof that PyTorch's conv2d gives the same numbers. "
                            "Next to them, the first-layer filters a CNN learned, which classic kernel each one "
                            "resembles, how they evolved while training, and an experiment: hand-crafted edge "
                            "detectors as a first layer against learned ones.",
    "flt_title": "Classic filters",
    "flt_intro": "Before CNNs learned their own filters, features were designed by hand. Each filter below is a "
                 "small kernel convolved with the image (OpenCV, zero borders). Red is positive, blue negative.",
    "warn_url_value": "The link's value `{name}={value}` is not valid here; using the default.",
    "flt_image": "Image",
    "img_name_camera": "Photo: cameraman",
    "img_name_astronaut": "Photo: astronaut",
    "img_name_coffee": "Photo: coffee",
    "img_name_chelsea": "Photo: Chelsea the cat",
    "img_name_rocket": "Photo: rocket",
    "img_name_step_edges": "Pattern: step edges",
    "img_name_ramp": "Pattern: ramp",
    "img_name_checkerboard": "Pattern: checkerboard",
    "img_name_circles": "Pattern: circles",
    "img_name_text": "Pattern: text",
    "img_name_upload": "Upload my own image…",
    "img_name_webcam": "Take a photo with the camera…",
    "flt_camera": "Camera",
    "flt_camera_hint": "Take a photo to filter it. Browsers allow the camera only on https or localhost.",
    "flt_upload": "Your image",
    "flt_upload_help": "PNG, JPEG, WebP, BMP, TIFF or GIF (first frame), up to 20 MB. It stays in your session only.",
    "flt_upload_hint": "Choose an image file to filter it.",
    "flt_filters": "Filters",
    "flt_sigma": "Gaussian σ (blur and unsharp mask)",
    "flt_input": "Input, {w}×{h} pixels, filtered in grey levels",
    "flt_kernel": "Kernel",
    "flt_signed": "Signed response: white is zero.",
    "flt_note_linear": "Computed by OpenCV cv2.filter2D; PyTorch conv2d agrees to {diff}.",
    "flt_note_magnitude": "OpenCV: √(Sobel x² + Sobel y²).",
    "flt_note_unsharp": "OpenCV: image + (image − Gaussian blur).",
    "flt_note_canny": "OpenCV cv2.Canny: smoothing, gradients, thinning and two thresholds.",
    "flt_sobel_x": "Sobel x", "flt_sobel_y": "Sobel y", "flt_scharr_x": "Scharr x", "flt_scharr_y": "Scharr y",
    "flt_prewitt_x": "Prewitt x", "flt_prewitt_y": "Prewitt y", "flt_roberts_x": "Roberts x",
    "flt_roberts_y": "Roberts y", "flt_laplacian_4": "Laplacian (4 neighbours)",
    "flt_laplacian_8": "Laplacian (8 neighbours)", "flt_gaussian": "Gaussian blur", "flt_box": "Box blur",
    "flt_sharpen": "Sharpen", "flt_emboss": "Emboss", "flt_sobel_magnitude": "Sobel magnitude",
    "flt_unsharp_mask": "Unsharp mask", "flt_canny": "Canny edges",
}

VI = {
    "err_unexpected": "Đã xảy ra lỗi ({kind}); chi tiết nằm trong nhật ký của máy chủ. Hãy thử lại hoặc chọn thiết "
                      "lập khác.",
    "err_storage": "Máy chủ không đọc hoặc ghi được tệp (có thể đĩa đã đầy, hoặc một thư mục không ghi được). Chi "
                   "tiết nằm trong nhật ký của máy chủ.",
    "err_out_of_memory": "Máy chủ đã hết bộ nhớ cho việc này. Hãy thử ảnh, mô hình hoặc thiết lập nhỏ hơn.",
    "language": "Ngôn ngữ",
    "device_line": "Đang tính trên: {device}",
    "warn_url_lang": "Đường dẫn yêu cầu ngôn ngữ '{value}', ứng dụng không có ngôn ngữ này; hiển thị tiếng Anh.",
    "nav_home": "Trang chủ",
    "nav_conv": "Tích chập",
    "home_title": "cnnviz: nhìn vào bên trong mạng tích chập",
    "home_intro": "Các bài học tương tác về cách mạng nơ-ron tích chập tính toán. Mọi con số đều được "
                  "hiển thị và mọi tham số đều có thể thay đổi. Chọn một trang:",
    "card_conv_title": "Phòng thí nghiệm tích chập",
    "card_conv_teaches": "Trượt một kernel trên đầu vào từng bước: từng phép nhân, từng tổng, từng ô đầu ra. "
                         "Thay đổi kích thước kernel, bước trượt (stride), đệm (padding) và độ giãn (dilation), "
                         "xem công thức kích thước đầu ra, số tham số và dòng `nn.Conv2d` tương ứng thay đổi "
                         "theo. Có cả max pooling và average pooling.",
    "device_header": "Thiết bị tính toán",
    "device_text": "Máy chủ này tính trên **{device}** (PyTorch {torch}).",
    "warn_url_range": "Giá trị `{name}={value}` trong đường dẫn không phải số nguyên từ {low} đến {high}; "
                      "dùng {default}.",
    "warn_url_choice": "Giá trị `{name}={value}` trong đường dẫn không thuộc {choices}; dùng {default}.",
    "warn_url_matrix": "Không đọc được `{name}` trong đường dẫn ({reason}); dùng giá trị mặc định.",
    "warn_url_channels": "`{name}` trong đường dẫn có {count} kênh; tối đa {high} kênh. Dùng giá trị mặc định.",
    "warn_url_kernel_shape": "Kernel trong đường dẫn có {count} ma trận, không khớp với {c_in} kênh đầu vào "
                             "(cần một ma trận vuông K×K cho mỗi kênh đầu vào, với 1-4 bộ lọc). "
                             "Dùng kernel mặc định.",
    "err_not_number": "'{value}' ở hàng {row}, cột {col} không phải là số",
    "err_too_large": "'{value}' quá lớn (giới hạn là ±{limit})",
    "err_empty": "ma trận rỗng",
    "err_ragged": "các hàng có độ dài khác nhau ({widths})",
    "err_size": "ma trận {rows}×{cols} nằm ngoài giới hạn {low}..{high} mỗi chiều",
    "err_channel_shapes": "các kênh có kích thước khác nhau ({shapes})",
    "err_bias_count": "có {count} giá trị bias cho {c_out} bộ lọc",
    "err_kernel_square": "kernel phải là ma trận vuông, không phải {rows}×{cols}",
    "err_kept_last": "Chưa áp dụng: {reason}. Vẫn dùng ma trận hợp lệ gần nhất.",
    "err_pool_too_big": "Cửa sổ pooling {k}×{k} không vừa với đầu vào {h}×{w}. Hãy chọn cửa sổ nhỏ hơn.",
    "err_same_stride": "Padding 'same' giữ đầu ra lớn bằng đầu vào, điều này chỉ làm được với stride 1 "
                       "(stride đang là {stride}). Hãy chọn số ô đệm cụ thể, hoặc stride 1.",
    "err_kernel_too_big": "Kernel trải rộng {span} ô (tính cả độ giãn), nhưng đầu vào sau khi đệm chỉ có "
                          "{h}×{w}. Không có vị trí nào đặt vừa: hãy dùng kernel hoặc độ giãn nhỏ hơn, "
                          "hoặc thêm padding.",
    "conv_title": "Phòng thí nghiệm tích chập",
    "conv_intro": "Phép tích chập trượt một kernel nhỏ trên đầu vào. Ở mỗi vị trí, nó nhân từng cặp số chồng "
                  "lên nhau rồi cộng các tích lại: tổng đó là một ô của đầu ra.",
    "input_header": "Đầu vào",
    "preset": "Mẫu có sẵn",
    "in_custom": "Tự nhập",
    "k_custom": "Tự nhập",
    "in_course": "Ví dụ trong bài giảng (5×5)",
    "in_pool_example": "Ví dụ pooling (4×4)",
    "in_vertical_edge": "Cạnh dọc",
    "in_horizontal_edge": "Cạnh ngang",
    "in_diagonal": "Cạnh chéo",
    "in_checkerboard": "Bàn cờ",
    "in_ramp": "Dốc tăng dần",
    "in_random": "Ngẫu nhiên (mỗi lần một khác)",
    "in_image": "Một mảnh ảnh chụp",
    "rows": "Số hàng",
    "cols": "Số cột",
    "channels_in": "Số kênh",
    "sample_image": "Ảnh",
    "fixed_size_preset": "Mẫu này có kích thước cố định; chọn mẫu khác để dùng các ô chỉnh kích thước.",
    "channel_n": "Kênh {n}",
    "matrix_help": "Mỗi dòng một hàng, các số cách nhau bằng dấu cách hoặc dấu phẩy.",
    "kernel_header": "Kernel",
    "k_identity": "Đồng nhất",
    "k_box_blur": "Làm mờ trung bình",
    "k_gaussian": "Làm mờ Gauss",
    "k_sobel_x": "Sobel x (cạnh dọc)",
    "k_sobel_y": "Sobel y (cạnh ngang)",
    "k_laplacian": "Laplacian",
    "k_sharpen": "Làm sắc nét",
    "k_emboss": "Chạm nổi",
    "k_course": "Ví dụ trong bài giảng (chữ X)",
    "k_random": "Ngẫu nhiên (mỗi lần một khác)",
    "kernel_size": "Kích thước kernel K",
    "kernel_size_help": "Các mẫu như Sobel chỉ có dạng 3×3; chọn Đồng nhất, làm mờ hoặc Ngẫu nhiên để dùng "
                        "kích thước khác.",
    "channels_out": "Số bộ lọc (kênh đầu ra)",
    "filter_shown": "Bộ lọc đang xem",
    "kernel_channel_n": "Trọng số trên kênh đầu vào {n}",
    "use_bias": "Thêm bias",
    "bias_values": "Bias, mỗi bộ lọc một giá trị ({n})",
    "operation": "Phép toán",
    "view_conv": "Tích chập",
    "view_pool": "Pooling",
    "stride": "Bước trượt S",
    "padding": "Đệm P",
    "pad_same": "same (đầu ra lớn bằng đầu vào)",
    "pad_valid": "valid (không đệm)",
    "padding_help": "Số hàng và cột số 0 thêm vào quanh đầu vào.",
    "dilation": "Độ giãn D",
    "pool_kind": "Kiểu pooling",
    "pool_max": "Lớn nhất (max)",
    "pool_avg": "Trung bình (average)",
    "pool_size": "Kích thước cửa sổ",
    "pool_stride": "Bước trượt của pooling",
    "prev": "Lùi",
    "next": "Tiếp",
    "step_label": "Bước **{s}** / {n}: ô đầu ra (hàng {i}, cột {j}) của bản đồ {c}",
    "sv_play": "Chạy",
    "sv_pause": "Dừng",
    "sv_prev": "Lùi",
    "sv_next": "Tiếp",
    "sv_first": "Đầu",
    "sv_last": "Cuối",
    "sv_step": "Bước",
    "sv_of": "/",
    "sv_input": "Đầu vào",
    "sv_kernel": "Kernel",
    "sv_output": "Đầu ra",
    "sv_padding": "đệm",
    "sv_channel": "kênh",
    "sv_speed": "Tốc độ",
    "sv_bias": "bias",
    "step_view_alt": "Hình động từng bước của phép tích chập: cửa sổ trên đầu vào, kernel và đầu ra",
    "output_header": "Đầu ra: {c} bản đồ {h}×{w}",
    "output_map_n": "Bản đồ {n}",
    "click_to_jump": "Nhấn vào một ô đầu ra bất kỳ để xem nó được tính như thế nào.",
    "selected_header": "Ô đầu ra đang chọn",
    "formula_header": "Kích thước đầu ra",
    "stride_misfit": "Bước trượt không chia hết: trước khi làm tròn xuống, kích thước đầu ra sẽ là {exact}, "
                     "không phải số nguyên. Kernel chỉ đi được {size} bước, mỗi bước {stride} ô; phần dư ở "
                     "cuối không bao giờ được chạm tới.",
    "uncovered": "Các {what} của đầu vào không cửa sổ nào chạm tới: {idx} (đếm từ 0).",
    "rows_word": "hàng",
    "rows_cols_word": "hàng và cột",
    "cols_word": "cột",
    "layer_header": "Lớp tương ứng trong PyTorch",
    "param_count": "Số tham số học được: {formula}",
    "nav_filters": "Bộ lọc",
    "card_filters_title": "Bộ lọc",
    "card_filters_teaches": "Các bộ dò cạnh cổ điển do con người thiết kế (Sobel, Scharr, Prewitt, Roberts, "
                            "Laplacian) và các bộ lọc làm mờ, tính bằng OpenCV trên ảnh chụp, ảnh mẫu hoặc ảnh của "
                            "bạn: kernel, đáp ứng, và bằng chứng rằng conv2d của PyTorch cho cùng kết quả. Bên cạnh "
                            "đó là các bộ lọc lớp đầu mà một CNN đã học, mỗi bộ lọc giống kernel cổ điển nào, chúng "
                            "thay đổi ra sao khi huấn luyện, và một thí nghiệm: bộ dò cạnh thiết kế bằng tay làm "
                            "lớp đầu so với bộ lọc tự học.",
    "flt_title": "Bộ lọc cổ điển",
    "flt_intro": "Trước khi CNN tự học bộ lọc, các đặc trưng được thiết kế bằng tay. Mỗi bộ lọc dưới đây là một "
                 "kernel nhỏ tích chập với ảnh (OpenCV, viền bằng 0). Đỏ là dương, xanh là âm.",
    "warn_url_value": "Giá trị `{name}={value}` trong đường dẫn không hợp lệ ở đây; dùng giá trị mặc định.",
    "flt_image": "Ảnh",
    "img_name_camera": "Ảnh chụp: người quay phim",
    "img_name_astronaut": "Ảnh chụp: phi hành gia",
    "img_name_coffee": "Ảnh chụp: cà phê",
    "img_name_chelsea": "Ảnh chụp: mèo Chelsea",
    "img_name_rocket": "Ảnh chụp: tên lửa",
    "img_name_step_edges": "Ảnh mẫu: cạnh bậc",
    "img_name_ramp": "Ảnh mẫu: dốc",
    "img_name_checkerboard": "Ảnh mẫu: bàn cờ",
    "img_name_circles": "Ảnh mẫu: hình tròn",
    "img_name_text": "Ảnh mẫu: chữ",
    "img_name_upload": "Tải ảnh của tôi lên…",
    "img_name_webcam": "Chụp ảnh bằng camera…",
    "flt_camera": "Camera",
    "flt_camera_hint": "Chụp một ảnh để lọc. Trình duyệt chỉ cho dùng camera qua https hoặc localhost.",
    "flt_upload": "Ảnh của bạn: kéo thả tệp vào khung dưới đây, hoặc bấm nút trong khung để chọn tệp (tối đa 20 MB)",
    "flt_upload_help": "PNG, JPEG, WebP, BMP, TIFF hoặc GIF (khung đầu), tối đa 20 MB. Ảnh chỉ nằm trong phiên "
                       "làm việc của bạn.",
    "flt_upload_hint": "Chọn một tệp ảnh để lọc.",
    "data_offline": "Không tải được bộ dữ liệu {name} (không có kết nối Internet?). Hãy đặt các tệp sau vào "
                    "{folder} rồi thử lại: {files}",
    "img_empty": "Tệp rỗng.",
    "img_too_many_bytes": "Tệp nặng {size_mb:.1f} MB; giới hạn là {limit_mb:.0f} MB.",
    "img_not_an_image": "Tệp này không phải ảnh ở định dạng được hỗ trợ ({formats}).",
    "img_truncated": "Tệp ảnh bị thiếu (bị cắt cụt); hãy lưu hoặc tải lên lại.",
    "img_corrupt": "Tệp ảnh bị hỏng, không giải mã được.",
    "img_too_many_pixels": "Ảnh có {megapixels:.1f} megapixel; giới hạn là {limit_mp:.0f} megapixel.",
    "img_too_small": "Ảnh có kích thước {width}×{height} điểm ảnh; cần ít nhất 1×1.",
    "img_unsupported_mode": "Không hỗ trợ ảnh có chế độ điểm ảnh {mode}.",
    "flt_filters": "Các bộ lọc",
    "flt_sigma": "σ của Gauss (làm mờ và unsharp mask)",
    "flt_input": "Đầu vào, {w}×{h} điểm ảnh, lọc trên ảnh xám",
    "flt_kernel": "Kernel",
    "flt_signed": "Đáp ứng có dấu: màu trắng là 0.",
    "flt_note_linear": "Tính bằng OpenCV cv2.filter2D; conv2d của PyTorch khớp tới {diff}.",
    "flt_note_magnitude": "OpenCV: √(Sobel x² + Sobel y²).",
    "flt_note_unsharp": "OpenCV: ảnh + (ảnh − ảnh làm mờ Gauss).",
    "flt_note_canny": "OpenCV cv2.Canny: làm mờ, gradient, làm mảnh và hai ngưỡng.",
    "flt_sobel_x": "Sobel x", "flt_sobel_y": "Sobel y", "flt_scharr_x": "Scharr x", "flt_scharr_y": "Scharr y",
    "flt_prewitt_x": "Prewitt x", "flt_prewitt_y": "Prewitt y", "flt_roberts_x": "Roberts x",
    "flt_roberts_y": "Roberts y", "flt_laplacian_4": "Laplacian (4 lân cận)",
    "flt_laplacian_8": "Laplacian (8 lân cận)", "flt_gaussian": "Làm mờ Gauss", "flt_box": "Làm mờ trung bình",
    "flt_sharpen": "Làm sắc nét", "flt_emboss": "Chạm nổi", "flt_sobel_magnitude": "Độ lớn Sobel",
    "flt_unsharp_mask": "Unsharp mask", "flt_canny": "Cạnh Canny",
}

# Pages with many strings keep them in their own module; a key may be defined only once.
from cnnviz.ui import (catalog_class, catalog_conv, catalog_course, catalog_inspect, catalog_learned,  # noqa: E402
                       catalog_maps, catalog_names, catalog_train)

# The library's own messages: English only in the library (cnnviz.errors), translated here.
import cnnviz.attribution, cnnviz.checkpoints, cnnviz.data, cnnviz.grids, cnnviz.images  # noqa: E401,E402,F401
import cnnviz.jobs, cnnviz.jobstore, cnnviz.learned, cnnviz.pretrained, cnnviz.runs  # noqa: E401,E402,F401
import cnnviz.class_data, cnnviz.classroom, cnnviz.questions  # noqa: E401,E402,F401
from cnnviz.errors import ALL_MESSAGES  # noqa: E402


class _Library:
    EN = ALL_MESSAGES
    VI: dict[str, str] = {}


for _part in (catalog_train, catalog_inspect, catalog_learned, catalog_class, catalog_course, catalog_names,
              catalog_maps, catalog_conv, _Library):
    for _mine, _theirs in ((EN, _part.EN), (VI, _part.VI)):
        _twice = set(_mine) & set(_theirs)
        if _twice:
            raise RuntimeError(f"catalog keys defined twice: {sorted(_twice)}")
        _mine.update(_theirs)

CATALOGS = {"en": EN, "vi": VI}
