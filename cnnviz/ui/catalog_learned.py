"""UI text of the learned part, in English and Vietnamese (merged into cnnviz.ui.catalog)."""

EN: dict[str, str] = {
    # learned filters
    "lrn_title": "Filters a CNN learned",
    "lrn_intro": "A CNN's first convolution layer is a bank of small kernels, just like the classic filters above, "
                 "but nobody designed them: training found them. Pick a trained model to see its first-layer "
                 "kernels, what they do to the same picture, and which classic kernel each one resembles.",
    "lrn_model": "Trained model",
    "lrn_shipped": "{model} trained on {dataset} (shipped with the app)",
    "lrn_run": "{title} · run {run}",
    "lrn_no_models": "No trained model with a convolution layer is available yet. Train one below or on the "
                     "Train page.",
    "lrn_model_info": "{model}. Trained on {dataset}; validation accuracy {acc}.",
    "err_lrn_load": "This model could not be loaded: {reason}",
    "lrn_epoch": "Epoch (0 = before training)",
    "lrn_epoch_help": "Scrub through the saved epochs of this run to watch the first-layer filters form.",
    "lrn_kernels": "First-layer kernels",
    "lrn_grey": "Grey input",
    "lrn_red": "Red channel",
    "lrn_green": "Green channel",
    "lrn_blue": "Blue channel",
    "lrn_rgb": "All three as colour",
    "lrn_mean": "Mean over input channels",
    "lrn_kernels_caption": "{n} kernels of {kh}×{kw} on {c} input channel(s), numbered #1, #2, … left to right, "
                           "top to bottom. Each kernel is scaled on its own: mid grey is 0, white its largest "
                           "positive weight, black its most negative one (in the colour view, each channel's "
                           "weight sets the amount of that colour).",
    "lrn_responses": "Their responses to the picture above",
    "lrn_resp_caption": "Kernels #1–#{shown} of {n}, applied with PyTorch's conv2d to the same {w}×{h} picture as "
                        "the classic filters, normalised as the model's training data was ((x/255 − mean)/std "
                        "per channel). Zero padding keeps the size; the bias is left out so that, as above, zero "
                        "shows as white (red positive, blue negative). The model itself saw {side}×{side} images: the "
                        "kernels work the same way at any size, only the structures they pick up are bigger here. "
                        "Kernels whose weights do not add up to zero also respond to brightness or colour, so "
                        "whole regions turn red or blue.",
    "lrn_similar": "Which learned kernel is most like each classic kernel?",
    "lrn_col_classic": "Classic kernel",
    "lrn_col_learned": "Most similar learned kernel",
    "lrn_col_sign": "Sign",
    "lrn_col_score": "Similarity |cos|",
    "lrn_table_caption": "Similarity is the cosine between the two kernels seen as vectors, after padding the "
                         "smaller one with zeros around its centre and subtracting each kernel's mean (a constant "
                         "offset does not count). It ignores the sign: − means the learned kernel is the classic "
                         "one turned negative, which the next layer can undo. Colour kernels are first summed over "
                         "R, G and B (each divided by its channel's std): that is what they do to a grey picture. "
                         "Blurs (Gaussian, box) are compared without removing the mean, since averaging is what "
                         "they do.",
    "lrn_pair": "Compare side by side",
    "lrn_no_match": "No learned kernel can be compared with this one: all of them are constant (or zero) after "
                    "removing their mean.",
    "lrn_pair_learned": "Learned #{n}{sign}",
    "lrn_pair_caption": "From the left: the classic kernel, the most similar learned kernel (summed over colour "
                        "channels, sign-corrected and scaled so that its largest weight is ±1), then their "
                        "responses to the picture. Similarity {score}.",
    # the experiment
    "lrn_exp_title": "Experiment: a hand-crafted first layer against a learned one",
    "lrn_exp_intro": "Would a CNN do as well if we gave it classic edge detectors instead of letting it learn its "
                     "first layer? Two LeNet-5 models train on the same digits with the same seed and recipe. One "
                     "starts with Sobel, Scharr and Prewitt kernels in its first layer (frozen, or free to "
                     "change); the other starts from random weights. Their curves appear together as they train.",
    "lrn_exp_n_train": "Training images",
    "lrn_exp_epochs": "Epochs",
    "lrn_exp_freeze": "Freeze the hand-crafted layer",
    "lrn_exp_freeze_help": "Frozen: the classic kernels never change and only the later layers learn. Off: they "
                           "are only the starting point.",
    "lrn_exp_setup": "Synthetic digits: {n_train} training and {n_val} validation images; Adam, learning rate "
                     "0.003, batch 128. Runs on {device}, one job after the other when the machine is busy.",
    "lrn_exp_start": "Train both",
    "err_lrn_submit": "The runs could not be started: {reason}",
    "lrn_exp_hand_frozen": "Hand-crafted first layer (frozen)",
    "lrn_exp_hand_trained": "Hand-crafted first layer (trained)",
    "lrn_exp_random": "Random first layer (learned)",
    "lrn_exp_saved": "Read back from disk.",
    "lrn_exp_missing": "This run is no longer available.",
    "lrn_exp_val": "Validation accuracy after epoch {epoch}: {acc}%",
    "lrn_exp_cancel": "Stop both",
    "lrn_exp_see_above": "Both models are now in the “Trained model” list above: pick one to see its filters and "
                         "scrub through its epochs.",
    "lrn_loss": "Loss",
    "lrn_acc": "Accuracy",
    "lrn_train": "train",
    "lrn_val": "validation",
    "lrn_epoch_axis": "epoch",
}

VI: dict[str, str] = {
    # learned filters
    "lrn_title": "Các bộ lọc mà CNN tự học",
    "lrn_intro": "Lớp tích chập đầu tiên của một CNN là một tập các kernel nhỏ, giống như các bộ lọc cổ điển ở "
                 "trên, nhưng không ai thiết kế chúng: quá trình huấn luyện đã tự tìm ra. Hãy chọn một mô hình đã "
                 "huấn luyện để xem các kernel ở lớp đầu, tác dụng của chúng lên cùng bức ảnh, và mỗi kernel cổ điển "
                 "giống kernel học được nào nhất.",
    "lrn_model": "Mô hình đã huấn luyện",
    "lrn_shipped": "{model} huấn luyện trên {dataset} (có sẵn trong ứng dụng)",
    "lrn_run": "{title} · lần chạy {run}",
    "lrn_no_models": "Chưa có mô hình đã huấn luyện nào có lớp tích chập. Hãy huấn luyện một mô hình ở bên dưới "
                     "hoặc ở trang Huấn luyện.",
    "lrn_model_info": "{model}. Huấn luyện trên {dataset}; độ chính xác kiểm định {acc}.",
    "err_lrn_load": "Không tải được mô hình này: {reason}",
    "err_lrn_no_conv": "Mô hình này không có lớp tích chập nên không có bộ lọc học được nào để hiển thị.",
    "err_lrn_channels": "Lớp đầu của mô hình đọc {channels} kênh đầu vào; chỉ có thể đưa cho nó ảnh xám (1 kênh) "
                        "hoặc ảnh màu (3 kênh).",
    "lrn_epoch": "Epoch (0 = trước khi huấn luyện)",
    "lrn_epoch_help": "Kéo qua các epoch đã lưu của lần chạy này để xem các bộ lọc lớp đầu dần hình thành.",
    "lrn_kernels": "Các kernel của lớp đầu",
    "lrn_grey": "Đầu vào xám",
    "lrn_red": "Kênh đỏ",
    "lrn_green": "Kênh lục",
    "lrn_blue": "Kênh lam",
    "lrn_rgb": "Cả ba kênh dưới dạng màu",
    "lrn_mean": "Trung bình trên các kênh đầu vào",
    "lrn_kernels_caption": "{n} kernel kích thước {kh}×{kw} trên {c} kênh đầu vào, đánh số #1, #2, … từ trái sang "
                           "phải, từ trên xuống dưới. Mỗi kernel được co giãn riêng: xám trung tính là 0, trắng là "
                           "trọng số dương lớn nhất, đen là trọng số âm nhất (ở chế độ màu, trọng số của mỗi kênh "
                           "quyết định lượng màu đó).",
    "lrn_responses": "Đáp ứng của chúng với bức ảnh ở trên",
    "lrn_resp_caption": "Các kernel #1–#{shown} trong số {n}, áp dụng bằng conv2d của PyTorch lên cùng bức ảnh "
                        "{w}×{h} mà các bộ lọc cổ điển dùng, được chuẩn hoá như dữ liệu huấn luyện của mô hình "
                        "((x/255 − trung bình)/độ lệch chuẩn cho từng kênh). Đệm số 0 giữ nguyên kích thước; bỏ "
                        "qua hệ số tự do (bias) để, như ở trên, màu trắng là 0 (đỏ là dương, lam là âm). Bản thân "
                        "mô hình nhìn ảnh {side}×{side}: các kernel hoạt động như nhau ở mọi kích thước, chỉ là các "
                        "cấu trúc chúng bắt được ở đây lớn hơn. Những kernel có tổng trọng số khác 0 còn phản ứng với độ "
                        "sáng hoặc màu sắc, nên cả một vùng ảnh chuyển sang đỏ hoặc lam.",
    "lrn_similar": "Kernel học được nào giống mỗi kernel cổ điển nhất?",
    "lrn_col_classic": "Kernel cổ điển",
    "lrn_col_learned": "Kernel học được giống nhất",
    "lrn_col_sign": "Dấu",
    "lrn_col_score": "Độ tương đồng |cos|",
    "lrn_table_caption": "Độ tương đồng là cosin giữa hai kernel khi xem chúng như hai vectơ, sau khi đệm số 0 "
                         "quanh tâm của kernel nhỏ hơn và trừ đi giá trị trung bình của mỗi kernel (một độ lệch hằng "
                         "số không được tính). Nó bỏ qua dấu: − nghĩa là kernel học được chính là kernel cổ điển bị đổi "
                         "dấu, điều mà lớp tiếp theo có thể bù lại. Kernel màu trước hết được cộng qua R, G và B (mỗi "
                         "kênh chia cho độ lệch chuẩn của nó): đó là tác dụng của chúng lên ảnh xám. Các phép làm "
                         "mờ (Gauss, trung bình) được so sánh mà không trừ trung bình, vì lấy trung bình chính là "
                         "việc chúng làm.",
    "lrn_pair": "So sánh cạnh nhau",
    "lrn_no_match": "Không có kernel học được nào so sánh được với kernel này: sau khi trừ trung bình, tất cả đều là "
                    "hằng số (hoặc bằng 0).",
    "lrn_pair_learned": "Kernel học #{n}{sign}",
    "lrn_pair_caption": "Từ trái sang: kernel cổ điển, kernel học được giống nó nhất (cộng qua các kênh màu, chỉnh "
                        "dấu và co giãn để trọng số lớn nhất là ±1), rồi đến đáp ứng của chúng với bức ảnh. Độ "
                        "tương đồng {score}.",
    # the experiment
    "lrn_exp_title": "Thí nghiệm: lớp đầu thiết kế thủ công so với lớp đầu tự học",
    "lrn_exp_intro": "Liệu CNN có làm tốt như vậy không nếu ta cho nó các bộ dò cạnh cổ điển thay vì để nó tự học "
                     "lớp đầu? Hai mô hình LeNet-5 được huấn luyện trên cùng dữ liệu chữ số, với cùng hạt giống "
                     "ngẫu nhiên và cùng công thức. Một mô hình bắt đầu với các kernel Sobel, Scharr và Prewitt ở lớp "
                     "đầu (đóng băng, hoặc được phép thay đổi); mô hình kia bắt đầu từ trọng số ngẫu nhiên. Đường "
                     "cong của hai mô hình hiện cùng nhau trong lúc huấn luyện.",
    "lrn_exp_n_train": "Số ảnh huấn luyện",
    "lrn_exp_epochs": "Số epoch",
    "lrn_exp_freeze": "Đóng băng lớp thiết kế thủ công",
    "lrn_exp_freeze_help": "Đóng băng: các kernel cổ điển không bao giờ thay đổi và chỉ các lớp sau học. Tắt: chúng "
                           "chỉ là điểm xuất phát.",
    "lrn_exp_setup": "Chữ số tổng hợp: {n_train} ảnh huấn luyện và {n_val} ảnh kiểm định; Adam, tốc độ học "
                     "0,003, lô 128. Chạy trên {device}, lần lượt từng việc khi máy đang bận.",
    "lrn_exp_start": "Huấn luyện cả hai",
    "err_lrn_submit": "Không thể bắt đầu các lần chạy: {reason}",
    "lrn_exp_hand_frozen": "Lớp đầu thủ công (đóng băng)",
    "lrn_exp_hand_trained": "Lớp đầu thủ công (được huấn luyện tiếp)",
    "lrn_exp_random": "Lớp đầu ngẫu nhiên (tự học)",
    "lrn_exp_saved": "Đọc lại từ ổ đĩa.",
    "lrn_exp_missing": "Lần chạy này không còn nữa.",
    "lrn_exp_val": "Độ chính xác kiểm định sau epoch {epoch}: {acc}%",
    "lrn_exp_cancel": "Dừng cả hai",
    "lrn_exp_see_above": "Cả hai mô hình giờ đã có trong danh sách “Mô hình đã huấn luyện” ở trên: hãy chọn một mô "
                         "hình để xem các bộ lọc của nó và kéo qua từng epoch.",
    "lrn_loss": "Hàm mất mát",
    "lrn_acc": "Độ chính xác",
    "lrn_train": "huấn luyện",
    "lrn_val": "kiểm định",
    "lrn_epoch_axis": "epoch",
}
