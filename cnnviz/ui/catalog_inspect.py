"""UI text of the Inspect and Attributions pages, the model picker and the image sources, in English
and Vietnamese (merged into cnnviz.ui.catalog). Also the library's checkpoint, pretrained-weights
and attribution messages, which these pages show."""

EN: dict[str, str] = {
    # navigation and home cards
    "nav_inspect": "Inspect",
    "nav_attr": "Attributions",
    "card_inspect_title": "Inspect a CNN",
    "card_inspect_teaches": "Open a trained network layer by layer: a table of every layer with its output shape, "
                            "parameters and memory (like torchsummary), the top-5 prediction for your picture, and "
                            "every feature map of every layer, one layer after the other. Click a map to enlarge "
                            "it; see the kernels that made it. Digits, shapes, photos, your upload, the camera, or "
                            "a digit you draw.",
    "card_attr_title": "Attributions: why this class?",
    "card_attr_teaches": "Which pixels made the network say “cat”? Grad-CAM, Integrated Gradients, SmoothGrad, "
                         "Occlusion, Guided Backprop and more (Captum), side by side over the picture, for the "
                         "predicted class or any other; Grad-CAM of every layer in one row; and the sanity check "
                         "that compares with the same network with random weights.",
    # model picker
    "mp_model": "Model",
    "mp_shipped": "{arch} · {data} (shipped, trained)",
    "mp_run": "{arch} · {data} · your run {id} (accuracy {acc})",
    "mp_run_linked": "{arch} · {data} · run {id} from a link (accuracy {acc})",
    "mp_imagenet": "{name} · ImageNet (torchvision, trained)",
    "mp_imagenet_random": "{name} · ImageNet architecture with RANDOM weights (no weights file)",
    "mp_upload_option": "Upload a checkpoint (.safetensors)…",
    "mp_ds_digits": "digits",
    "mp_ds_strokes": "drawn digits",
    "mp_ds_shapes": "shapes",
    "mp_ds_handwritten": "handwritten digits",
    "mp_ds_class_drawings": "the class's drawings",
    "mp_ds_mnist": "MNIST",
    "mp_ds_fashion_mnist": "Fashion-MNIST",
    "mp_ds_cifar10": "CIFAR-10",
    "mp_val_acc": "validation accuracy {acc:.1%}",
    "mp_loading": "Loading the model…",
    "mp_imagenet_caption": "{name} from torchvision, trained on ImageNet-1k (1,000 classes); it sees 224×224 RGB.",
    "mp_try_download": "Try to download the trained weights",
    "mp_downloading": "Downloading the weights…",
    "mp_download_failed": "The download failed (no internet connection?). Place {file} in {folder} by hand, then "
                          "reload the page.",
    "mp_load_failed": "The model could not be loaded: {reason}",
    "mp_compute_failed": "The computation failed: {reason}",
    "mp_upload": "Checkpoint file (.safetensors)",
    "mp_upload_help": "A model saved by this app (for example downloaded from the Train page). It is checked before "
                      "use and stays in your session only.",
    "mp_upload_hint": "Choose a .safetensors checkpoint saved by cnnviz.",
    "mp_upload_kept": "Using your uploaded checkpoint {name}.",
    "mp_uploaded": "Your checkpoint {name}",
    # library messages: pretrained weights, checkpoints, attribution
    # image sources and preprocessing
    "src_image": "Picture",
    "src_hw": "Handwritten {digit} (real, held out from training)",
    "src_gen": "Generated digit {digit}",
    "src_shape": "Generated shape: {name}",
    "src_draw": "Draw a digit…",
    "src_upload": "Your picture",
    "src_upload_help": "PNG, JPEG, WebP, BMP, TIFF or GIF (first frame), at most 20 MB. The picture stays in your "
                       "session only.",
    "src_upload_hint": "Choose an image file.",
    "src_camera": "Camera",
    "src_camera_hint": "Take a photo. Browsers allow the camera only over https or on localhost.",
    "src_canvas_unavailable": "The drawing canvas works only in the app running in a browser; choose another "
                              "picture here.",
    "src_draw_hint": "Draw one digit in white with the mouse or a finger; the model answers when you let go. Undo "
                     "and clear are in the canvas's toolbar.",
    "src_draw_empty": "The canvas is empty: draw a digit.",
    "src_invert": "Invert colours (digit models expect a light digit on a dark background)",
    "src_invert_auto": "Auto",
    "src_invert_on": "Yes",
    "src_invert_off": "No",
    "src_centre": "Centre like MNIST",
    "src_centre_help": "Cuts out the strokes, scales them into a 20×20 box and centres them by mass in 28×28, as "
                       "MNIST's digits are. Dataset samples are already laid out this way.",
    "prep_yours": "Your picture, {w}×{h}",
    "prep_seen": "The model sees {w}×{h}×{c}",
    "prep_norm": "Normalised: {low} … {high} (white = mean)",
    "prep_gray": "grey (0.299 R + 0.587 G + 0.114 B)",
    "prep_invert": "inverted (255 − v)",
    "prep_centre": "strokes fitted into {box}×{box}, centred by mass in {side}×{side}",
    "prep_same_size": "already {w}×{h}: no resizing",
    "prep_resize": "centre cut to the input's shape, resized {from_w}×{from_h} → {w}×{h}",
    "prep_resize_crop": "shorter side resized to {short}, centre {w}×{h} cut out (from {from_w}×{from_h})",
    "prep_normalise": "x = (v/255 − mean) / std with mean ({mean}) and std ({std})",
    # Inspect page
    "insp_title": "Inspect a CNN",
    "insp_intro": "Pick a model and a picture. The table lists every layer; below, walk through the layers one by "
                  "one and see every feature map the picture produces there, and the kernels that made them.",
    "insp_table": "Layers",
    "insp_col_layer": "Layer",
    "insp_col_type": "Type",
    "insp_col_shape": "Output shape",
    "insp_col_params": "Parameters",
    "insp_col_memory": "Activation memory",
    "insp_total_params": "Total parameters",
    "insp_trainable": "Trainable",
    "insp_param_memory": "Parameter memory",
    "insp_act_memory": "Activation memory (1 picture)",
    "insp_table_note": "Input {inp} → output {out}. Memory at float32, 4 bytes per number. Activation memory adds "
                       "up, for one picture, the output of every layer that needs new memory; a layer that works in "
                       "place or only reshapes (ReLU(inplace=True), Dropout at inference, Flatten) reuses its "
                       "input's memory and adds nothing. Counting every output, as torchsummary does, gives {all}.",
    "insp_reuses_input": "0 (reuses its input)",
    "insp_prediction": "Prediction",
    "insp_predicted": "The model says **{cls}** ({p}).",
    "insp_true_class": "The picture shows: {cls}.",
    "insp_random_weights": "Random weights: these probabilities mean nothing; the maps show what an untrained "
                           "network computes.",
    "insp_col_class": "Class",
    "insp_col_prob": "Probability",
    "insp_walk": "Walk through the layers",
    "insp_back": "◀ Back",
    "insp_next": "Next ▶",
    "insp_layer": "Layer",
    "insp_no_maps": "This model has no layer with feature maps (it is an MLP): choose a CNN to see maps.",
    "insp_step": "Layer {n} of {total}, output {shape}.",
    "insp_kind_conv": "A convolution: {n} filters of {k} over {c} input channel(s), stride {stride}, padding "
                      "{pad}. Each filter slides over the input and gives one map.",
    "insp_kind_act": "An activation ({kind}) applied to every number on its own: the shape stays the same.",
    "insp_kind_pool": "Pooling ({kind}): each map shrinks, every small window summarised by one number; the "
                      "number of channels stays.",
    "insp_kind_norm": "Normalisation: each channel is shifted and scaled by statistics learned in training.",
    "insp_kind_block": "A block ({kind}) of several layers; this is its output.",
    "insp_kind_other": "A layer of type {kind}.",
    "insp_sort": "Sort by mean activation",
    "insp_shared_scale": "One colour scale for all maps",
    "insp_maps_header": "**{n} feature maps of {h}×{w}**",
    "insp_map_hover": "map {c}<br>min {min} · max {max}<br>mean {mean}",
    "insp_click_map": "Click a map to enlarge it. Each map is coloured from its own minimum to its maximum unless "
                      "one scale is chosen.",
    "insp_maps_capped": "Showing {shown} of {total} maps.",
    "insp_map_title": "**Map {c}** · min {min} · max {max} · mean {mean}",
    "insp_stats_header": "Minimum, maximum and mean of every map",
    "insp_col_map": "Map",
    "insp_col_mean": "Mean",
    "insp_kernels": "Kernels",
    "insp_no_kernels": "A {kind} layer has no kernels: step to a convolution to see what it learned.",
    "insp_kernels_rgb": "{n} filters of {k}×3 shown in colour: each filter's red, green and blue kernels as one "
                        "picture, grey is 0 (each filter scaled by its own largest weight).",
    "insp_kernels_row": "{n} filters of {k}, one per map (one input channel). Red is positive, blue negative.",
    "insp_kernels_all": "{n} filters (rows) × {c} input channel(s) (columns), each {k}. Red is positive, blue "
                        "negative.",
    "insp_kernels_one": "Filter {c}: {n} of its {total} kernels (one per input channel), each {k}. Click another "
                        "map to see its filter.",
    # Attributions page
    "attr_title": "Attributions: why this class?",
    "attr_intro": "An attribution method gives every pixel (or every unit of a layer) a share of the model's score "
                  "for one class. Compare methods on the same picture, and check that they really depend on what "
                  "the model learned.",
    "attr_target": "Class to explain",
    "attr_target_pred": "The prediction: {cls} ({p})",
    "attr_methods": "Methods",
    "attr_methods_help": "Layer methods (Grad-CAM, Layer IG, Conductance, Layer Activation, Gradient × "
                         "Activation) explain a layer's units, summed over its channels and enlarged to the "
                         "picture; the others explain the pixels.",
    "attr_layer": "Layer (for layer methods and Guided Grad-CAM)",
    "attr_layer_help": "Only layers with feature maps. The last convolution is the usual choice for Grad-CAM.",
    "attr_settings": "Method settings",
    "attr_steps": "Integration steps (Integrated Gradients, Layer IG, Conductance)",
    "attr_steps_help": "More steps approximate the path integral better (a smaller convergence Δ) and take "
                       "proportionally longer.",
    "attr_samples": "SmoothGrad: noisy copies",
    "attr_noise": "SmoothGrad: noise σ (in normalised units)",
    "attr_noise_help": "The pixel range 0…1 spans about 3 to 4 normalised units, so 0.5 is 12-15 % of it.",
    "attr_window": "Occlusion: window (pixels)",
    "attr_stride": "Occlusion: stride (pixels)",
    "attr_occlusion_cost": "Occlusion runs the model on {n} copies, each with one window greyed out.",
    "attr_occlusion_too_many": "Occlusion would need {n} forward passes (the limit is {limit}): choose a larger "
                               "stride or window.",
    "attr_opacity": "Overlay opacity",
    "attr_opacity_help": "How strongly the map's colours cover the picture where the map is strongest.",
    "attr_sanity": "Sanity check: compare with random weights",
    "attr_sanity_help": "Computes the same maps for the same architecture with re-initialised weights.",
    "attr_results": "Attributions for class “{cls}”",
    "attr_pick_method": "Choose at least one method.",
    "attr_computing": "Computing {method}…",
    "attr_peak": "peak |value| {v}",
    "attr_delta": "convergence Δ {d}",
    "attr_legend_signed": "Signed maps: red pushes towards the class, blue against it.",
    "attr_legend_unsigned": "Unsigned maps (Viridis): dark purple little, yellow a lot.",
    "attr_device": "Computed on {device}.",
    "attr_gradcam_row": "Grad-CAM of every convolution, early to late",
    "attr_gradcam_row_note": "All from one forward and one backward pass. Early layers see small details at high "
                             "resolution; late layers see whole parts, coarsely.",
    "attr_sanity_header": "Sanity check: the same network with random weights",
    "attr_sanity_explain": "The model-randomisation test (Adebayo et al., 2018): if a method draws nearly the "
                           "same map for a network whose weights are random, the map shows the picture (its "
                           "edges), not what the trained model learned.",
    "attr_randomising": "Re-initialising the weights…",
    "attr_trained": "trained",
    "attr_randomised": "random weights",
    "attr_rank_corr": "rank correlation {r}",
    "attr_rank_corr_note": "Rank correlation (Spearman) of the magnitudes of the two maps: near 1, the method "
                           "ignores the weights; near 0, it depends on what the model learned.",
    # Attributions page: scores (cnnviz.ui.attribution_scores)
    "attr_scores": "Scores: how far can each map be trusted?",
    "attr_scores_help": "Under each map: the deletion and insertion areas (Petsiuk et al., 2018) and the "
                        "model-randomisation rank correlation (Adebayo et al., 2018). On the small models "
                        "this takes well under a second.",
    "attr_scoring": "Scoring {method}…",
    "attr_score_del": "Deletion AUC **{v}**: lower is better",
    "attr_score_ins": "Insertion AUC **{v}**: higher is better",
    "attr_score_rand": "Randomisation ρ **{r}**: near 0 is better",
    "attr_score_rand_nan": "Randomisation ρ undefined: a map is constant (nothing to rank)",
    "attr_scores_note": "How the scores are made. **Deletion:** the pixels the map ranks highest (largest "
                        "value first) are replaced first by the dataset's mean colour (0 after "
                        "normalisation), {pct} % of the picture per step; if the map found the evidence, the "
                        "probability of “{cls}” falls fast and the area under the curve (AUC, 0 to 1) is "
                        "small. **Insertion:** starting from a blurred copy of the picture, the highest-"
                        "ranked pixels are put back first; the probability should rise fast (a large area). "
                        "**Randomisation:** Spearman rank correlation between the map's magnitudes (|value|, "
                        "as Quantus does) on the trained model and once every layer has random weights; "
                        "rescaling a map does not change its ranks, so no normalisation is needed. Near 1, "
                        "the map ignores what the model learned.",
    "attr_scores_random": "For comparison, pixels in random order: deletion AUC {d}, insertion AUC {i}.",
    "attr_scores_too_big": "On a CPU, scores are computed only for pictures up to {limit}×{limit} pixels: for"
                           " this model's {side}×{side} pictures they would take minutes. A server with a GPU"
                           " computes them.",
    "attr_rank_corr_undefined": "rank correlation undefined (a map is constant)",
    "attr_rand_header": "Randomising the layers one by one, from the output down",
    "attr_rand_explain": "The cascading model-randomisation test: first the output layer gets random weights,"
                         " then also the layer below it, and so on down to the first layer. Each point is the"
                         " rank correlation of the map with the trained model's map. A method whose line "
                         "stays high is not explaining what the model learned. The last point is the network "
                         "shown above with all its weights random; a gap means the map became constant.",
    "attr_rand_x": "randomised down to layer",
    "attr_rand_y": "rank correlation with the trained map",
    "attr_rand_start": "none (trained)",
    "attr_curves_header": "Deletion and insertion curves",
    "attr_curves_explain": "The probability of “{cls}” as the most-attributed pixels are removed (left: low "
                           "and falling fast is good) or put back into a blurred copy (right: rising fast is "
                           "good). The dashed grey line is the random order.",
    "attr_curve_deletion": "Deletion (into the mean colour)",
    "attr_curve_insertion": "Insertion (from a blurred copy)",
    "attr_curve_x": "share of pixels",
    "attr_curve_y": "probability of “{cls}”",
    "attr_random_order": "random order",
}

VI: dict[str, str] = {
    # navigation and home cards
    "nav_inspect": "Soi mô hình",
    "nav_attr": "Giải thích",
    "card_inspect_title": "Soi bên trong một CNN",
    "card_inspect_teaches": "Mở một mạng đã huấn luyện theo từng lớp: bảng liệt kê mọi lớp với kích thước đầu ra, "
                            "số tham số và bộ nhớ (như torchsummary), 5 dự đoán hàng đầu cho ảnh của bạn, và mọi "
                            "bản đồ đặc trưng của từng lớp, lần lượt từ lớp này sang lớp khác. Nhấn vào một bản đồ "
                            "để phóng to; xem các kernel đã tạo ra nó. Dùng chữ số, hình khối, ảnh chụp, ảnh tải "
                            "lên, camera hoặc một chữ số bạn tự vẽ.",
    "card_attr_title": "Giải thích: vì sao là nhãn này?",
    "card_attr_teaches": "Những điểm ảnh nào khiến mạng nói “con mèo”? Grad-CAM, Integrated Gradients, SmoothGrad, "
                         "Occlusion, Guided Backprop và nhiều phương pháp khác (Captum), đặt cạnh nhau trên ảnh, cho "
                         "nhãn được dự đoán hoặc bất kỳ nhãn nào; Grad-CAM của mọi lớp trên một hàng; và phép kiểm tra "
                         "tính hợp lý so sánh với cùng mạng đó mang trọng số ngẫu nhiên.",
    # model picker
    "mp_model": "Mô hình",
    "mp_shipped": "{arch} · {data} (có sẵn, đã huấn luyện)",
    "mp_run": "{arch} · {data} · lượt huấn luyện {id} của bạn (độ chính xác {acc})",
    "mp_run_linked": "{arch} · {data} · lượt huấn luyện {id} từ đường dẫn (độ chính xác {acc})",
    "mp_imagenet": "{name} · ImageNet (torchvision, đã huấn luyện)",
    "mp_imagenet_random": "{name} · kiến trúc ImageNet với trọng số NGẪU NHIÊN (không có tệp trọng số)",
    "mp_upload_option": "Tải lên một checkpoint (.safetensors)…",
    "mp_ds_digits": "chữ số",
    "mp_ds_strokes": "chữ số vẽ bằng chuột",
    "mp_ds_shapes": "hình khối",
    "mp_ds_handwritten": "chữ số viết tay",
    "mp_ds_class_drawings": "hình vẽ của lớp học",
    "mp_ds_mnist": "MNIST",
    "mp_ds_fashion_mnist": "Fashion-MNIST",
    "mp_ds_cifar10": "CIFAR-10",
    "mp_val_acc": "độ chính xác trên tập kiểm định {acc:.1%}",
    "mp_loading": "Đang nạp mô hình…",
    "mp_imagenet_caption": "{name} của torchvision, huấn luyện trên ImageNet-1k (1.000 nhãn); mô hình nhận ảnh RGB "
                           "224×224.",
    "mp_try_download": "Thử tải trọng số đã huấn luyện",
    "mp_downloading": "Đang tải trọng số…",
    "mp_download_failed": "Tải xuống thất bại (không có kết nối Internet?). Hãy tự đặt tệp {file} vào {folder} "
                          "rồi tải lại trang.",
    "mp_load_failed": "Không nạp được mô hình: {reason}",
    "mp_compute_failed": "Tính toán thất bại: {reason}",
    "mp_upload": "Tệp checkpoint (.safetensors)",
    "mp_upload_help": "Một mô hình do ứng dụng này lưu (ví dụ tải về từ trang Huấn luyện). Tệp được kiểm tra trước "
                      "khi dùng và chỉ nằm trong phiên làm việc của bạn.",
    "mp_upload_hint": "Chọn một checkpoint .safetensors do cnnviz lưu.",
    "mp_upload_kept": "Đang dùng checkpoint bạn đã tải lên: {name}.",
    "mp_uploaded": "Checkpoint của bạn: {name}",
    # library messages: pretrained weights, checkpoints, attribution
    "weights_offline": "Không nạp được trọng số đã huấn luyện của {name} (không có kết nối Internet?), nên mô hình "
                       "chạy với trọng số ngẫu nhiên và dự đoán của nó vô nghĩa. Để dùng trọng số đã huấn luyện, "
                       "hãy đặt tệp {file} (tải từ {url}) vào {folder}.",
    "weights_corrupt": "Tệp trọng số {file} trong {folder} bị hỏng hoặc không thuộc về {name}, nên mô hình chạy "
                       "với trọng số ngẫu nhiên và dự đoán của nó vô nghĩa. Hãy thay bằng tệp {file} gốc tải từ "
                       "{url}.",
    "ckpt_not_safetensors": "Tệp này không phải là checkpoint mô hình dùng được: nó không phải tệp .safetensors, "
                            "hoặc bị rỗng, hỏng hay không đầy đủ (bị cắt ngang khi lưu hoặc tải về). Hãy lưu hoặc "
                            "tải mô hình về lại.",
    "ckpt_no_metadata": "Tệp .safetensors này không do ứng dụng này lưu: phần đầu tệp không cho biết trọng số "
                        "thuộc về mạng nào, nên không dựng lại được mô hình. Hãy dùng checkpoint do cnnviz lưu.",
    "ckpt_bad_metadata": "Phần mô tả mô hình trong checkpoint không đọc được hoặc không nhất quán ({reason}). Tệp "
                         "đã bị sửa hoặc do một phiên bản khác của ứng dụng tạo ra; hãy lưu lại mô hình.",
    "ckpt_missing": "Checkpoint thiếu {count} tensor trọng số mà mô hình của nó cần, ví dụ {names}. Trọng số thuộc "
                    "về một mạng khác với mạng mà tệp mô tả; hãy dùng tệp nguyên gốc.",
    "ckpt_unexpected": "Checkpoint chứa {count} tensor mà mô hình của nó không có, ví dụ {names}. Trọng số thuộc về "
                       "một mạng khác với mạng mà tệp mô tả; hãy dùng tệp nguyên gốc.",
    "ckpt_shape": "Trọng số {name} có kích thước {found}, nhưng mô hình được mô tả trong checkpoint cần {expected} "
                  "(ví dụ, trọng số cho ảnh xám 1 kênh không khớp với mạng cho ảnh màu 3 kênh). Trọng số và phần "
                  "mô tả của chúng không đi cùng nhau.",
    "ckpt_dtype": "Tensor {name} được lưu dưới kiểu {found}, nhưng mô hình cần {expected} (F: số thực, I/U: số "
                  "nguyên, BOOL: đúng/sai). Tệp đã bị sửa hoặc do một chương trình khác tạo ra.",
    "ckpt_too_large": "Tệp nặng {size_mb:.1f} MB; giới hạn là {limit_mb:.0f} MB. Các mô hình của ứng dụng này nhỏ "
                      "hơn nhiều: bạn có chọn đúng tệp không?",
    "budget_too_costly": ("Mô hình này quá lớn đối với máy chủ: một ảnh sẽ cần {act_mb:,.0f} MB bộ nhớ và "
                          "{gflop:,.1f} tỉ phép tính ({params:,} tham số); máy chủ chỉ phục vụ mô hình tối đa "
                          "{limit_mb:,.0f} MB, {limit_gflop:,.0f} tỉ phép tính và {limit_params:,} tham số cho mỗi "
                          "ảnh. Hãy dùng kích thước đầu vào, độ rộng hoặc độ sâu nhỏ hơn."),
    "ckpt_nonfinite": "Trọng số {name} chứa {count} giá trị không hợp lệ (NaN hoặc vô cùng): quá trình huấn luyện "
                      "đã phân kỳ trước khi mô hình được lưu (hãy thử tốc độ học nhỏ hơn), hoặc tệp bị hỏng.",
    "attr_unknown_method": "Không có phương pháp giải thích {method}; hãy chọn một trong: {choices}.",
    "attr_need_layer": "{label} cần một lớp: hãy chọn một lớp tích chập của mô hình.",
    "attr_unknown_layer": "Mô hình không có lớp nào tên {layer}.",
    "attr_layer_not_spatial": "Lớp {layer} cho đầu ra kích thước {shape}; phương pháp này cần một lớp có bản đồ "
                              "đặc trưng (kênh × chiều cao × chiều rộng), chẳng hạn một lớp tích chập.",
    "attr_unknown_param": "{label} không có tham số {name}; các tham số của nó là: {choices}.",
    "attr_bad_param": "{name} phải là {kind} trong khoảng từ {low} đến {high}, nhưng nhận được {value}.",
    "attr_bad_target": "Nhãn {target} không tồn tại: mô hình có {num_classes} nhãn, đánh số từ 0 đến {last}.",
    "attr_bad_input": "Đầu vào phải là một ảnh dạng tensor số thực (1, C, H, W), nhưng nhận được {shape}.",
    "attr_train_mode": "Mô hình đang ở chế độ huấn luyện, khi đó dropout và BatchNorm làm kết quả giải thích "
                       "ngẫu nhiên: hãy chuyển sang chế độ eval trước.",
    # image sources and preprocessing
    "src_image": "Ảnh",
    "src_hw": "Chữ {digit} viết tay (thật, không dùng khi huấn luyện)",
    "src_gen": "Chữ số {digit} sinh tự động",
    "src_shape": "Hình sinh tự động: {name}",
    "src_draw": "Tự vẽ một chữ số…",
    "src_upload": "Ảnh của bạn: kéo thả tệp vào khung dưới đây, hoặc bấm nút trong khung để chọn tệp (tối đa 20 MB)",
    "src_upload_help": "PNG, JPEG, WebP, BMP, TIFF hoặc GIF (khung đầu), tối đa 20 MB. Ảnh chỉ nằm trong phiên làm "
                       "việc của bạn.",
    "src_upload_hint": "Chọn một tệp ảnh.",
    "src_camera": "Camera",
    "src_camera_hint": "Chụp một ảnh. Trình duyệt chỉ cho dùng camera qua https hoặc localhost.",
    "src_canvas_unavailable": "Khung vẽ chỉ hoạt động khi ứng dụng chạy trong trình duyệt; ở đây hãy chọn ảnh "
                              "khác.",
    "src_draw_hint": "Vẽ một chữ số màu trắng bằng chuột hoặc ngón tay; mô hình trả lời khi bạn nhấc tay lên. Nút "
                     "hoàn tác và xoá nằm trên thanh công cụ của khung vẽ.",
    "src_draw_empty": "Khung vẽ đang trống: hãy vẽ một chữ số.",
    "src_invert": "Đảo màu (mô hình chữ số cần chữ sáng trên nền tối)",
    "src_invert_auto": "Tự động",
    "src_invert_on": "Có",
    "src_invert_off": "Không",
    "src_centre": "Căn giữa như MNIST",
    "src_centre_help": "Cắt lấy phần nét vẽ, thu phóng vào khung 20×20 và đặt trọng tâm vào giữa ảnh 28×28, đúng "
                       "như các chữ số của MNIST. Ảnh mẫu của bộ dữ liệu vốn đã được sắp xếp như vậy.",
    "prep_yours": "Ảnh của bạn, {w}×{h}",
    "prep_seen": "Mô hình thấy {w}×{h}×{c}",
    "prep_norm": "Đã chuẩn hoá: {low} … {high} (trắng = trung bình)",
    "prep_gray": "chuyển sang ảnh xám (0,299 R + 0,587 G + 0,114 B)",
    "prep_invert": "đảo màu (255 − v)",
    "prep_centre": "nét vẽ được đưa vào khung {box}×{box}, căn trọng tâm giữa ảnh {side}×{side}",
    "prep_same_size": "đã đúng {w}×{h}: không cần đổi kích thước",
    "prep_resize": "cắt phần giữa theo tỉ lệ của đầu vào, đổi kích thước {from_w}×{from_h} → {w}×{h}",
    "prep_resize_crop": "cạnh ngắn đổi thành {short}, cắt phần giữa {w}×{h} (từ {from_w}×{from_h})",
    "prep_normalise": "x = (v/255 − trung bình) / độ lệch chuẩn, với trung bình ({mean}) và độ lệch chuẩn ({std})",
    # Inspect page
    "insp_title": "Soi bên trong một CNN",
    "insp_intro": "Chọn một mô hình và một ảnh. Bảng liệt kê mọi lớp; bên dưới, đi qua từng lớp một và xem mọi bản "
                  "đồ đặc trưng mà ảnh tạo ra ở đó, cùng các kernel đã tạo ra chúng.",
    "insp_table": "Các lớp",
    "insp_col_layer": "Lớp",
    "insp_col_type": "Loại",
    "insp_col_shape": "Kích thước đầu ra",
    "insp_col_params": "Số tham số",
    "insp_col_memory": "Bộ nhớ kích hoạt",
    "insp_total_params": "Tổng số tham số",
    "insp_trainable": "Học được",
    "insp_param_memory": "Bộ nhớ tham số",
    "insp_act_memory": "Bộ nhớ kích hoạt (1 ảnh)",
    "insp_table_note": "Đầu vào {inp} → đầu ra {out}. Bộ nhớ tính theo float32, 4 byte mỗi số. Bộ nhớ kích hoạt "
                       "cộng, cho một ảnh, đầu ra của mọi lớp cần bộ nhớ mới; lớp tính tại chỗ hoặc chỉ đổi hình "
                       "dạng (ReLU(inplace=True), Dropout khi suy luận, Flatten) dùng lại bộ nhớ của đầu vào nên "
                       "không cộng thêm. Nếu cộng mọi đầu ra như torchsummary thì được {all}.",
    "insp_reuses_input": "0 (dùng lại đầu vào)",
    "insp_prediction": "Dự đoán",
    "insp_predicted": "Mô hình trả lời **{cls}** ({p}).",
    "insp_true_class": "Ảnh thực sự là: {cls}.",
    "insp_random_weights": "Trọng số ngẫu nhiên: các xác suất này chưa có ý nghĩa gì; các bản đồ cho thấy một mạng "
                           "chưa huấn luyện tính ra những gì.",
    "insp_col_class": "Nhãn",
    "insp_col_prob": "Xác suất",
    "insp_walk": "Đi qua từng lớp",
    "insp_back": "◀ Lùi",
    "insp_next": "Tiếp ▶",
    "insp_layer": "Lớp",
    "insp_no_maps": "Mô hình này không có lớp nào cho bản đồ đặc trưng (đó là một MLP): hãy chọn một CNN để xem.",
    "insp_step": "Lớp {n} trên {total}, đầu ra {shape}.",
    "insp_kind_conv": "Một lớp tích chập: {n} bộ lọc {k} trên {c} kênh đầu vào, bước trượt {stride}, đệm {pad}. "
                      "Mỗi bộ lọc trượt trên đầu vào và cho ra một bản đồ.",
    "insp_kind_act": "Một hàm kích hoạt ({kind}) áp dụng riêng cho từng số: kích thước giữ nguyên.",
    "insp_kind_pool": "Gộp ({kind}): mỗi bản đồ nhỏ lại, mỗi cửa sổ nhỏ được tóm tắt bằng một số; số kênh giữ "
                      "nguyên.",
    "insp_kind_norm": "Chuẩn hoá: mỗi kênh được dịch và co giãn theo các thống kê học được khi huấn luyện.",
    "insp_kind_block": "Một khối ({kind}) gồm nhiều lớp; đây là đầu ra của nó.",
    "insp_kind_other": "Một lớp loại {kind}.",
    "insp_sort": "Sắp xếp theo kích hoạt trung bình",
    "insp_shared_scale": "Một thang màu chung cho mọi bản đồ",
    "insp_maps_header": "**{n} bản đồ đặc trưng {h}×{w}**",
    "insp_map_hover": "bản đồ {c}<br>min {min} · max {max}<br>trung bình {mean}",
    "insp_click_map": "Nhấn vào một bản đồ để phóng to. Mỗi bản đồ được tô màu từ giá trị nhỏ nhất đến lớn nhất của "
                      "riêng nó, trừ khi chọn thang màu chung.",
    "insp_maps_capped": "Đang hiện {shown} trên {total} bản đồ.",
    "insp_map_title": "**Bản đồ {c}** · min {min} · max {max} · trung bình {mean}",
    "insp_stats_header": "Giá trị nhỏ nhất, lớn nhất và trung bình của mọi bản đồ",
    "insp_col_map": "Bản đồ",
    "insp_col_mean": "Trung bình",
    "insp_kernels": "Các kernel",
    "insp_no_kernels": "Lớp {kind} không có kernel: hãy chuyển đến một lớp tích chập để xem nó đã học được gì.",
    "insp_kernels_rgb": "{n} bộ lọc {k}×3 hiển thị bằng màu: kernel đỏ, lục và lam của mỗi bộ lọc ghép thành một "
                        "ảnh, màu xám là 0 (mỗi bộ lọc được co giãn theo trọng số lớn nhất của nó).",
    "insp_kernels_row": "{n} bộ lọc {k}, mỗi bản đồ một bộ lọc (một kênh đầu vào). Đỏ là dương, xanh là âm.",
    "insp_kernels_all": "{n} bộ lọc (hàng) × {c} kênh đầu vào (cột), mỗi kernel {k}. Đỏ là dương, xanh là âm.",
    "insp_kernels_one": "Bộ lọc {c}: {n} trên {total} kernel của nó (mỗi kênh đầu vào một kernel), mỗi kernel {k}. "
                        "Nhấn vào bản đồ khác để xem bộ lọc của nó.",
    # Attributions page
    "attr_title": "Giải thích: vì sao là nhãn này?",
    "attr_intro": "Một phương pháp giải thích chia điểm số của mô hình cho một nhãn thành phần đóng góp của từng điểm "
                  "ảnh (hoặc từng đơn vị của một lớp). Hãy so sánh các phương pháp trên cùng một ảnh, và kiểm tra xem "
                  "chúng có thật sự phụ thuộc vào những gì mô hình đã học hay không.",
    "attr_target": "Nhãn cần giải thích",
    "attr_target_pred": "Nhãn được dự đoán: {cls} ({p})",
    "attr_methods": "Phương pháp",
    "attr_methods_help": "Các phương pháp theo lớp (Grad-CAM, Layer IG, Conductance, Layer Activation, Gradient × "
                         "Activation) giải thích các đơn vị của một lớp, cộng qua các kênh rồi phóng to bằng ảnh; "
                         "các phương pháp còn lại giải thích từng điểm ảnh.",
    "attr_layer": "Lớp (cho các phương pháp theo lớp và Guided Grad-CAM)",
    "attr_layer_help": "Chỉ các lớp có bản đồ đặc trưng. Lớp tích chập cuối cùng là lựa chọn thường dùng cho "
                       "Grad-CAM.",
    "attr_settings": "Thiết lập phương pháp",
    "attr_steps": "Số bước tích phân (Integrated Gradients, Layer IG, Conductance)",
    "attr_steps_help": "Nhiều bước hơn thì tích phân đường đi chính xác hơn (Δ hội tụ nhỏ hơn) và chạy lâu hơn "
                       "tương ứng.",
    "attr_samples": "SmoothGrad: số bản sao nhiễu",
    "attr_noise": "SmoothGrad: độ nhiễu σ (theo đơn vị đã chuẩn hoá)",
    "attr_noise_help": "Khoảng điểm ảnh 0…1 trải dài khoảng 3 đến 4 đơn vị chuẩn hoá, nên 0,5 là 12-15 % khoảng đó.",
    "attr_window": "Occlusion: cửa sổ (điểm ảnh)",
    "attr_stride": "Occlusion: bước trượt (điểm ảnh)",
    "attr_occlusion_cost": "Occlusion chạy mô hình trên {n} bản sao, mỗi bản có một cửa sổ bị che.",
    "attr_occlusion_too_many": "Occlusion sẽ cần {n} lượt truyền xuôi (giới hạn là {limit}): hãy chọn bước trượt "
                               "hoặc cửa sổ lớn hơn.",
    "attr_opacity": "Độ đậm của màu phủ",
    "attr_opacity_help": "Màu của bản đồ phủ lên ảnh đậm đến mức nào ở những chỗ bản đồ mạnh nhất.",
    "attr_sanity": "Kiểm tra tính hợp lý: so sánh với trọng số ngẫu nhiên",
    "attr_sanity_help": "Tính cùng các bản đồ đó cho cùng kiến trúc với trọng số được khởi tạo lại.",
    "attr_results": "Giải thích cho nhãn “{cls}”",
    "attr_pick_method": "Hãy chọn ít nhất một phương pháp.",
    "attr_computing": "Đang tính {method}…",
    "attr_peak": "|giá trị| lớn nhất {v}",
    "attr_delta": "Δ hội tụ {d}",
    "attr_legend_signed": "Bản đồ có dấu: đỏ đẩy về phía nhãn này, xanh kéo ra xa.",
    "attr_legend_unsigned": "Bản đồ không dấu (Viridis): tím sẫm là ít, vàng là nhiều.",
    "attr_device": "Tính trên {device}.",
    "attr_gradcam_row": "Grad-CAM của mọi lớp tích chập, từ sớm đến muộn",
    "attr_gradcam_row_note": "Tất cả từ một lượt truyền xuôi và một lượt truyền ngược. Các lớp đầu nhìn chi tiết nhỏ "
                             "ở độ phân giải cao; các lớp sau nhìn cả bộ phận, nhưng thô hơn.",
    "attr_sanity_header": "Kiểm tra tính hợp lý: cùng mạng đó với trọng số ngẫu nhiên",
    "attr_sanity_explain": "Phép thử ngẫu nhiên hoá mô hình (Adebayo và cộng sự, 2018): nếu một phương pháp vẽ ra "
                           "bản đồ gần như giống hệt cho một mạng có trọng số ngẫu nhiên, thì bản đồ đó chỉ cho "
                           "thấy bức ảnh (các cạnh của nó), chứ không phải điều mô hình đã học.",
    "attr_randomising": "Đang khởi tạo lại trọng số…",
    "attr_trained": "đã huấn luyện",
    "attr_randomised": "trọng số ngẫu nhiên",
    "attr_rank_corr": "tương quan hạng {r}",
    "attr_rank_corr_note": "Tương quan hạng (Spearman) giữa độ lớn của hai bản đồ: gần 1 nghĩa là phương pháp bỏ "
                           "qua trọng số; gần 0 nghĩa là nó phụ thuộc vào những gì mô hình đã học.",
    # Attributions page: scores (cnnviz.ui.attribution_scores)
    "attr_scores": "Điểm tin cậy: có thể tin mỗi bản đồ đến đâu?",
    "attr_scores_help": "Dưới mỗi bản đồ: diện tích dưới đường cong xoá và chèn (Petsiuk và cộng sự, 2018) và"
                        " độ tương quan hạng của phép thử ngẫu nhiên hoá mô hình (Adebayo và cộng sự, 2018). "
                        "Với các mô hình nhỏ, việc này mất chưa tới một giây.",
    "attr_scoring": "Đang chấm điểm {method}…",
    "attr_score_del": "AUC khi xoá **{v}**: càng thấp càng tốt",
    "attr_score_ins": "AUC khi chèn **{v}**: càng cao càng tốt",
    "attr_score_rand": "Ngẫu nhiên hoá: ρ **{r}**, càng gần 0 càng tốt",
    "attr_score_rand_nan": "Ngẫu nhiên hoá: ρ không xác định, vì một bản đồ là hằng số (không có gì để xếp "
                           "hạng)",
    "attr_scores_note": "Cách tính các điểm. **Xoá:** những điểm ảnh được bản đồ xếp hạng cao nhất (giá trị "
                        "lớn nhất trước) lần lượt bị thay bằng màu trung bình của tập dữ liệu (bằng 0 sau khi"
                        " chuẩn hoá), mỗi bước {pct} % bức ảnh; nếu bản đồ tìm đúng bằng chứng, xác suất của "
                        "“{cls}” giảm nhanh và diện tích dưới đường cong (AUC, từ 0 đến 1) nhỏ. **Chèn:** bắt"
                        " đầu từ một bản sao bị làm mờ của bức ảnh, những điểm ảnh được xếp hạng cao nhất "
                        "được đặt lại trước; xác suất nên tăng nhanh (diện tích lớn). **Ngẫu nhiên hoá:** độ "
                        "tương quan hạng Spearman giữa độ lớn (|giá trị|, như Quantus) của bản đồ trên mô "
                        "hình đã huấn luyện và trên mô hình mà mọi lớp đều mang trọng số ngẫu nhiên; co giãn "
                        "một bản đồ không làm đổi thứ hạng, nên không cần chuẩn hoá. Gần 1 nghĩa là bản đồ bỏ"
                        " qua những gì mô hình đã học.",
    "attr_scores_random": "Để so sánh, các điểm ảnh theo thứ tự ngẫu nhiên: AUC khi xoá {d}, AUC khi chèn "
                          "{i}.",
    "attr_scores_too_big": "Trên CPU, điểm tin cậy chỉ được tính cho ảnh tối đa {limit}×{limit} điểm ảnh: với"
                           " ảnh {side}×{side} của mô hình này sẽ mất nhiều phút. Máy chủ có GPU sẽ tính "
                           "được.",
    "attr_rank_corr_undefined": "tương quan hạng không xác định (một bản đồ là hằng số)",
    "attr_rand_header": "Ngẫu nhiên hoá từng lớp một, từ đầu ra trở xuống",
    "attr_rand_explain": "Phép thử ngẫu nhiên hoá mô hình theo tầng: trước tiên lớp đầu ra nhận trọng số ngẫu"
                         " nhiên, rồi thêm lớp ngay bên dưới, cứ thế xuống tới lớp đầu tiên. Mỗi điểm là độ "
                         "tương quan hạng giữa bản đồ lúc đó và bản đồ của mô hình đã huấn luyện. Phương pháp"
                         " nào có đường vẫn ở mức cao thì không giải thích điều mô hình đã học. Điểm cuối "
                         "cùng là mạng ở trên với toàn bộ trọng số ngẫu nhiên; chỗ đứt quãng nghĩa là bản đồ "
                         "đã trở thành hằng số.",
    "attr_rand_x": "ngẫu nhiên hoá đến lớp",
    "attr_rand_y": "độ tương quan hạng với bản đồ đã huấn luyện",
    "attr_rand_start": "chưa ngẫu nhiên hoá (đã huấn luyện)",
    "attr_curves_header": "Đường cong xoá và chèn",
    "attr_curves_explain": "Xác suất của “{cls}” khi những điểm ảnh đóng góp nhiều nhất bị xoá (trái: thấp và"
                           " giảm nhanh là tốt) hoặc được đặt lại vào bản sao bị làm mờ (phải: tăng nhanh là "
                           "tốt). Đường xám nét đứt là thứ tự ngẫu nhiên.",
    "attr_curve_deletion": "Xoá (thay bằng màu trung bình)",
    "attr_curve_insertion": "Chèn (từ bản sao bị làm mờ)",
    "attr_curve_x": "tỉ lệ điểm ảnh",
    "attr_curve_y": "xác suất của “{cls}”",
    "attr_random_order": "thứ tự ngẫu nhiên",
}
