"""UI text of the Train page, in English and Vietnamese (merged into cnnviz.ui.catalog)."""

EN: dict[str, str] = {
    "nav_train": "Train",
    "card_train_title": "Train a CNN live",
    "card_train_teaches": "Train small networks on built-in data and watch loss, accuracy and the first-layer "
                          "filters change while it learns. Climb the recipe ladder from an MLP to a deep sigmoid "
                          "CNN that does not learn, then ReLU, normalisation, BatchNorm, He init, skip "
                          "connections, regularisation, augmentation and learning-rate decay.",
    "tr_title": "Train a CNN live",
    "tr_intro": "Choose data, a model and a training recipe, press Start and watch it learn. Training runs on the "
                "server, so it goes on if you close this tab; the run link brings you back to it.",
    "tr_ladder": "Recipe ladder",
    "tr_rung_custom": "Custom settings",
    "tr_rung_mlp": "MLP baseline",
    "tr_rung_sigmoid": "Deep CNN with sigmoid",
    "tr_rung_relu": "ReLU instead of sigmoid",
    "tr_rung_normalize": "Normalise the inputs",
    "tr_rung_batchnorm": "BatchNorm",
    "tr_rung_he": "He initialisation",
    "tr_rung_skip": "Skip connections (ResNet)",
    "tr_rung_regularize": "Dropout + weight decay",
    "tr_rung_augment": "Data augmentation",
    "tr_rung_lr_decay": "Learning-rate decay",
    "tr_why_mlp": "A multilayer perceptron flattens the image into one long vector: it cannot reuse what it learns "
                  "at one position at another, so on images it learns slowly. This is the baseline to beat.",
    "tr_why_sigmoid": "Six convolutions with sigmoid activations, PyTorch's default init and raw 0..1 pixels. It "
                      "does not learn: the sigmoid's slope is at most 0.25, so the gradient shrinks at every layer "
                      "on its way back (vanishing gradients) and the early layers barely move. The loss stays near "
                      "ln 10 ≈ 2.30 and the accuracy near chance (10%).",
    "tr_why_relu": "Same network, ReLU activations: the slope is 1 wherever a unit is active, so gradients reach "
                   "the first layers and the network starts to learn.",
    "tr_why_normalize": "Inputs scaled to mean 0 and standard deviation 1 per channel. Centred inputs keep the "
                        "first layer's outputs centred too, so the optimiser takes useful steps from the start.",
    "tr_why_batchnorm": "Batch normalisation re-centres and re-scales every layer's outputs on each batch, which "
                        "keeps signals in a good range through the whole depth and allows larger steps.",
    "tr_why_he": "He (Kaiming) initialisation draws weights with variance 2/fan-in, the value that keeps the signal "
                 "size constant through ReLU layers (Glorot's 1/fan-in suits tanh).",
    "tr_why_skip": "Residual blocks add each block's input to its output, so the gradient has a direct path "
                   "backwards; this is what lets ResNets go very deep.",
    "tr_why_regularize": "Dropout (30% before the classifier) and weight decay fight overfitting. They pay off when "
                         "training is long enough to overfit; in a few epochs they can even cost a little.",
    "tr_why_augment": "Random flips and shifts of up to 2 pixels show the network new variants of every image, so it "
                      "learns what does not change under them. Also a long-run gain.",
    "tr_why_lr_decay": "One-cycle schedule: the learning rate warms up to a peak three times the constant rate, "
                       "then decays to almost 0, so training moves fast early and settles into a minimum "
                       "instead of bouncing around it. (Decay alone, at the old peak, trains more slowly.)",
    "tr_tab_data": "Data",
    "tr_tab_model": "Model",
    "tr_tab_train": "Training",
    "tr_f_dataset": "Dataset",
    "tr_f_n_train": "Training images",
    "tr_f_n_val": "Validation images",
    "tr_f_arch": "Architecture",
    "tr_f_activation": "Activation",
    "tr_f_init": "Initialisation",
    "tr_f_batchnorm": "BatchNorm",
    "tr_f_dropout": "Dropout before the classifier",
    "tr_f_depth": "Depth (VGG blocks, ResNet stages, MLP hidden layers)",
    "tr_f_width": "Width (channels of the first block)",
    "tr_f_epochs": "Epochs",
    "tr_f_batch_size": "Batch size",
    "tr_f_optimizer": "Optimiser",
    "tr_f_lr": "Learning rate",
    "tr_f_momentum": "Momentum (SGD)",
    "tr_f_nesterov": "Nesterov momentum (SGD)",
    "tr_f_weight_decay": "Weight decay",
    "tr_f_schedule": "Learning-rate schedule",
    "tr_f_label_smoothing": "Label smoothing",
    "tr_f_normalize": "Normalise inputs (mean 0, std 1)",
    "tr_f_flip": "Augment: random horizontal flip",
    "tr_f_translate": "Augment: random shift (pixels)",
    "tr_f_erase": "Augment: random erasing (probability)",
    "tr_f_seed": "Random seed",
    "tr_dataset_shapes": "Shapes (built in, 32×32 colour, like CIFAR-10)",
    "tr_dataset_digits": "Digits (built in, 28×28, like MNIST)",
    "tr_dataset_strokes": "Drawn digits (built in, as if drawn with the mouse on the canvas, 28×28)",
    "tr_dataset_handwritten": "Handwritten digits (scikit-learn, 1,797 real samples)",
    "tr_dataset_mnist": "MNIST (download)",
    "tr_dataset_fashion_mnist": "Fashion-MNIST (download)",
    "tr_dataset_cifar10": "CIFAR-10 (download)",
    "tr_schedule_constant": "Constant",
    "tr_schedule_step": "Step (×0.1 at 50% and 75%)",
    "tr_schedule_exponential": "Exponential (down to 1%)",
    "tr_schedule_onecycle": "One-cycle (warm up, then cosine down)",
    "tr_download_note": "This dataset is downloaded into the data folder the first time; without internet, the "
                        "run stops and says which files to place there.",
    "tr_device_cpu": "the server's CPU",
    "tr_device_cuda": "the server's GPU",
    "tr_no_worker": ("No training worker is running on this server, so runs wait in the queue. Whoever runs the "
                     "server: start the app with `python3 dev.py serve` (it starts the workers), or start one with "
                     "`.venv/bin/python -m cnnviz.worker`."),
    "tr_at_limit": "You have {count} runs queued or training, the most one student may have at once ({limit}). "
                   "Wait for one to finish, or stop one.",
    "tr_params": "{n} trainable parameters · trains on {device}",
    "tr_start": "Start training",
    "tr_stop": "Stop",
    "tr_no_run": "No run yet: choose the settings on the left (or a rung of the recipe ladder) and press Start.",
    "tr_queued": "Waiting in the queue: position {position}. Other students' runs are training; yours starts "
                 "automatically.",
    "tr_preparing": "Preparing the data…",
    "tr_running": "Epoch {epoch} of {epochs}",
    "tr_speed": "{ips} images/s · about {eta} s left · running loss {loss} · running accuracy {acc}%",
    "tr_cancelled": "Stopped. The epochs finished before stopping are saved.",
    "tr_done_done": "Finished.",
    "tr_done_diverged": "Stopped: the loss became infinite or NaN (training diverged). Lower the learning rate, or "
                        "turn on BatchNorm / input normalisation.",
    "tr_done_cancelled": "Stopped. The epochs finished before stopping are saved.",
    "tr_saved_done": "A finished run: {epochs} of {planned} epochs, all saved.",
    "tr_saved_cancelled": "Stopped by hand after {epochs} of {planned} epochs; the finished epochs are saved.",
    "tr_saved_diverged": "Stopped after {epochs} of {planned} epochs: the loss became infinite or NaN (training "
                         "diverged). Lower the learning rate and start it again.",
    "tr_saved_failed": "Stopped by an error after {epochs} of {planned} epochs; the finished epochs are saved. {reason}",
    "tr_saved_interrupted": "Cut short after {epochs} of {planned} epochs: the server stopped or restarted while it "
                            "trained. The finished epochs are saved; start the run again to train all {planned}.",
    "tr_loss": "Loss",
    "tr_acc": "Accuracy",
    "tr_train": "train",
    "tr_val": "validation",
    "tr_epoch": "epoch",
    "tr_last_epoch": "Last epoch: validation {val}%, training {train}% · {s} s · {ips} images/s",
    "tr_filters": "**First-layer filters** (each scaled on its own; grey = 0)",
    "tr_compare": "Compare with your other runs",
    "tr_gradients": "**Gradient size per layer** (input side on the left, log scale): bars that shrink towards "
                    "the input mean vanishing gradients.",
    "tr_grad_axis": "weight-gradient norm",
    "tr_download": "Download the model (.safetensors)",
    "tr_run_link": "This page's link now contains `run={run}`: open it later (or on another device) to find this run "
                   "again. Other pages (Filters, Inspect, Attributions) can use the model too.",
    "warn_run_missing": "Run `{run}` was not found: it may still be preparing its first epoch, or the server has "
                        "forgotten it.",
    "err_train_settings": "These settings do not fit together: {reason}",
}

VI: dict[str, str] = {
    "nav_train": "Huấn luyện",
    "card_train_title": "Huấn luyện CNN trực tiếp",
    "card_train_teaches": "Huấn luyện các mạng nhỏ trên dữ liệu có sẵn và xem hàm mất mát, độ chính xác và các bộ "
                          "lọc lớp đầu thay đổi trong khi mạng học. Leo bậc thang công thức từ MLP đến CNN sâu "
                          "dùng sigmoid không học được, rồi ReLU, chuẩn hoá đầu vào, BatchNorm, khởi tạo He, kết "
                          "nối tắt, điều chuẩn, tăng cường dữ liệu và giảm tốc độ học.",
    "tr_title": "Huấn luyện CNN trực tiếp",
    "tr_intro": "Chọn dữ liệu, mô hình và công thức huấn luyện, bấm Bắt đầu và xem mạng học. Việc huấn luyện chạy "
                "trên máy chủ nên vẫn tiếp tục khi bạn đóng thẻ này; đường dẫn của lần chạy đưa bạn quay lại.",
    "tr_ladder": "Bậc thang công thức",
    "tr_rung_custom": "Thiết lập tuỳ chọn",
    "tr_rung_mlp": "MLP cơ sở",
    "tr_rung_sigmoid": "CNN sâu dùng sigmoid",
    "tr_rung_relu": "ReLU thay cho sigmoid",
    "tr_rung_normalize": "Chuẩn hoá đầu vào",
    "tr_rung_batchnorm": "BatchNorm",
    "tr_rung_he": "Khởi tạo He",
    "tr_rung_skip": "Kết nối tắt (ResNet)",
    "tr_rung_regularize": "Dropout + suy giảm trọng số",
    "tr_rung_augment": "Tăng cường dữ liệu",
    "tr_rung_lr_decay": "Giảm dần tốc độ học",
    "tr_why_mlp": "Perceptron nhiều lớp duỗi ảnh thành một vectơ dài: điều học được ở một vị trí không dùng lại được "
                  "ở vị trí khác, nên trên ảnh nó học chậm. Đây là mốc cơ sở cần vượt qua.",
    "tr_why_sigmoid": "Sáu lớp tích chập với hàm kích hoạt sigmoid, khởi tạo mặc định của PyTorch và điểm ảnh thô "
                      "0..1. Mạng không học được: độ dốc của sigmoid tối đa là 0,25 nên gradient nhỏ dần qua mỗi lớp "
                      "khi lan truyền ngược (tiêu biến gradient) và các lớp đầu gần như không đổi. Hàm mất mát ở gần "
                      "ln 10 ≈ 2,30 và độ chính xác ở mức đoán mò (10%).",
    "tr_why_relu": "Cùng mạng đó nhưng dùng ReLU: độ dốc bằng 1 ở mọi đơn vị đang hoạt động nên gradient đến được các "
                   "lớp đầu và mạng bắt đầu học.",
    "tr_why_normalize": "Đầu vào được đưa về trung bình 0 và độ lệch chuẩn 1 theo từng kênh. Đầu vào cân bằng quanh 0 "
                        "giữ cho đầu ra lớp đầu cũng cân bằng, nên bộ tối ưu đi những bước có ích ngay từ đầu.",
    "tr_why_batchnorm": "Chuẩn hoá theo lô đưa đầu ra của mỗi lớp về tâm và thang đo chuẩn trên từng lô, giữ tín hiệu "
                        "trong khoảng tốt qua toàn bộ chiều sâu và cho phép bước học lớn hơn.",
    "tr_why_he": "Khởi tạo He (Kaiming) lấy trọng số với phương sai 2/fan-in, giá trị giữ nguyên độ lớn tín hiệu qua "
                 "các lớp ReLU (khởi tạo Glorot 1/fan-in hợp với tanh).",
    "tr_why_skip": "Khối dư cộng đầu vào của khối vào đầu ra của nó, nên gradient có đường đi thẳng về phía trước; "
                   "nhờ vậy ResNet có thể rất sâu.",
    "tr_why_regularize": "Dropout (30% trước bộ phân loại) và suy giảm trọng số chống quá khớp. Chúng có lợi khi huấn "
                         "luyện đủ lâu để quá khớp; chỉ vài epoch thì có khi còn thiệt một chút.",
    "tr_why_augment": "Lật ngẫu nhiên và dịch tối đa 2 điểm ảnh cho mạng thấy các biến thể mới của mỗi ảnh, nên mạng "
                      "học được điều không đổi dưới các phép đó. Cũng là lợi ích khi huấn luyện dài.",
    "tr_why_lr_decay": "Lịch một chu kỳ: tốc độ học tăng dần đến đỉnh gấp ba tốc độ cố định, rồi giảm về gần 0, nên "
                       "lúc đầu học nhanh và cuối cùng lắng vào một cực tiểu thay vì nảy qua lại quanh nó. (Chỉ giảm "
                       "dần mà giữ đỉnh cũ thì học chậm hơn.)",
    "tr_tab_data": "Dữ liệu",
    "tr_tab_model": "Mô hình",
    "tr_tab_train": "Huấn luyện",
    "tr_f_dataset": "Tập dữ liệu",
    "tr_f_n_train": "Số ảnh huấn luyện",
    "tr_f_n_val": "Số ảnh kiểm định",
    "tr_f_arch": "Kiến trúc",
    "tr_f_activation": "Hàm kích hoạt",
    "tr_f_init": "Khởi tạo",
    "tr_f_batchnorm": "BatchNorm",
    "tr_f_dropout": "Dropout trước bộ phân loại",
    "tr_f_depth": "Độ sâu (khối VGG, tầng ResNet, lớp ẩn MLP)",
    "tr_f_width": "Độ rộng (số kênh của khối đầu)",
    "tr_f_epochs": "Số epoch",
    "tr_f_batch_size": "Kích thước lô",
    "tr_f_optimizer": "Bộ tối ưu",
    "tr_f_lr": "Tốc độ học",
    "tr_f_momentum": "Quán tính (SGD)",
    "tr_f_nesterov": "Quán tính Nesterov (SGD)",
    "tr_f_weight_decay": "Suy giảm trọng số",
    "tr_f_schedule": "Lịch tốc độ học",
    "tr_f_label_smoothing": "Làm mượt nhãn",
    "tr_f_normalize": "Chuẩn hoá đầu vào (trung bình 0, độ lệch chuẩn 1)",
    "tr_f_flip": "Tăng cường: lật ngang ngẫu nhiên",
    "tr_f_translate": "Tăng cường: dịch ngẫu nhiên (điểm ảnh)",
    "tr_f_erase": "Tăng cường: xoá ngẫu nhiên (xác suất)",
    "tr_f_seed": "Hạt giống ngẫu nhiên",
    "tr_dataset_shapes": "Hình khối (có sẵn, ảnh màu 32×32, giống CIFAR-10)",
    "tr_dataset_digits": "Chữ số (có sẵn, 28×28, giống MNIST)",
    "tr_dataset_strokes": "Chữ số vẽ bằng chuột (có sẵn, như vẽ trên khung vẽ, 28×28)",
    "tr_dataset_handwritten": "Chữ số viết tay (scikit-learn, 1.797 mẫu thật)",
    "tr_dataset_mnist": "MNIST (tải về)",
    "tr_dataset_fashion_mnist": "Fashion-MNIST (tải về)",
    "tr_dataset_cifar10": "CIFAR-10 (tải về)",
    "tr_schedule_constant": "Không đổi",
    "tr_schedule_step": "Bậc (×0,1 ở 50% và 75%)",
    "tr_schedule_exponential": "Hàm mũ (giảm còn 1%)",
    "tr_schedule_onecycle": "Một chu kỳ (tăng dần, rồi giảm theo cosin)",
    "tr_download_note": "Tập dữ liệu này được tải vào thư mục dữ liệu ở lần đầu; nếu không có internet, lần chạy sẽ "
                        "dừng và cho biết cần đặt tệp nào vào đó.",
    "tr_device_cpu": "CPU của máy chủ",
    "tr_device_cuda": "GPU của máy chủ",
    "tr_no_worker": ("Máy chủ chưa chạy tiến trình huấn luyện nào, nên các lần chạy phải chờ trong hàng đợi. Người "
                     "quản lý máy chủ: hãy khởi động ứng dụng bằng `python3 dev.py serve` (lệnh này khởi động các "
                     "tiến trình huấn luyện), hoặc chạy `.venv/bin/python -m cnnviz.worker`."),
    "tr_at_limit": "Bạn đang có {count} lần chạy chờ hoặc đang huấn luyện, mức tối đa cho mỗi học sinh ({limit}). "
                   "Hãy chờ một lần chạy xong, hoặc dừng bớt một lần.",
    "job_worker_lost": ("Lần chạy đã dừng {attempts} lần vì tiến trình huấn luyện của nó kết thúc (máy chủ khởi "
                        "động lại, hoặc tiến trình bị lỗi hay hết bộ nhớ). Các epoch đã xong được lưu; hãy chạy lại "
                        "với thiết lập nhỏ hơn."),
    "job_limit_active": ("Bạn đã có {count} lần chạy đang chờ hoặc đang huấn luyện; mỗi học sinh chỉ được {limit} để "
                         "cả lớp cùng dùng máy. Hãy chờ một lần chạy xong, hoặc dừng bớt một lần."),
    "job_unknown": "Không có lần chạy {job_id} để làm việc này.",
    "job_not_yours": "Chỉ học sinh đã bắt đầu lần chạy này mới dừng được nó.",
    "job_store_unavailable": ("Máy chủ không lưu được các lần chạy huấn luyện: thư mục lưu không ghi được (có thể "
                              "đĩa đã đầy hoặc thư mục chỉ đọc). Hãy nhờ người quản lý máy chủ sửa; chi tiết nằm "
                              "trong nhật ký của máy chủ."),
    "run_too_long": ("Lần chạy này cần {images:,} ảnh × {epochs} epoch = {asked:,} ảnh để huấn luyện; máy chủ cho "
                     "phép tối đa {limit:,} mỗi lần chạy để cả lớp đều đến lượt. Hãy dùng ít ảnh hoặc ít epoch hơn."),
    "tr_params": "{n} tham số huấn luyện được · huấn luyện trên {device}",
    "tr_start": "Bắt đầu huấn luyện",
    "tr_stop": "Dừng",
    "tr_no_run": "Chưa có lần chạy nào: chọn thiết lập bên trái (hoặc một bậc của bậc thang công thức) rồi bấm Bắt đầu.",
    "tr_queued": "Đang chờ trong hàng đợi: vị trí {position}. Lần chạy của các bạn khác đang huấn luyện; lần chạy của "
                 "bạn sẽ tự bắt đầu.",
    "tr_preparing": "Đang chuẩn bị dữ liệu…",
    "tr_running": "Epoch {epoch} / {epochs}",
    "tr_speed": "{ips} ảnh/giây · còn khoảng {eta} giây · mất mát hiện tại {loss} · độ chính xác hiện tại {acc}%",
    "tr_cancelled": "Đã dừng. Các epoch hoàn thành trước khi dừng đã được lưu.",
    "tr_done_done": "Đã xong.",
    "tr_done_diverged": "Đã dừng: hàm mất mát thành vô cùng hoặc NaN (huấn luyện phân kỳ). Hãy giảm tốc độ học, hoặc "
                        "bật BatchNorm / chuẩn hoá đầu vào.",
    "tr_done_cancelled": "Đã dừng. Các epoch hoàn thành trước khi dừng đã được lưu.",
    "tr_saved_done": "Lần chạy đã xong: {epochs}/{planned} epoch, đã lưu đầy đủ.",
    "tr_saved_cancelled": "Đã dừng bằng tay sau {epochs}/{planned} epoch; các epoch đã xong được lưu.",
    "tr_saved_diverged": "Đã dừng sau {epochs}/{planned} epoch: hàm mất mát thành vô cùng hoặc NaN (huấn luyện phân "
                         "kỳ). Hãy giảm tốc độ học rồi chạy lại.",
    "tr_saved_failed": "Bị dừng vì lỗi sau {epochs}/{planned} epoch; các epoch đã xong được lưu. {reason}",
    "tr_saved_interrupted": "Bị ngắt giữa chừng sau {epochs}/{planned} epoch: máy chủ đã dừng hoặc khởi động lại trong "
                            "lúc huấn luyện. Các epoch đã xong được lưu; hãy chạy lại để huấn luyện đủ {planned} epoch.",
    "tr_loss": "Mất mát",
    "tr_acc": "Độ chính xác",
    "tr_train": "huấn luyện",
    "tr_val": "kiểm định",
    "tr_epoch": "epoch",
    "tr_last_epoch": "Epoch cuối: kiểm định {val}%, huấn luyện {train}% · {s} giây · {ips} ảnh/giây",
    "tr_filters": "**Bộ lọc lớp đầu** (mỗi bộ lọc theo thang riêng; xám = 0)",
    "tr_compare": "So sánh với các lần chạy khác của bạn",
    "tr_gradients": "**Độ lớn gradient theo lớp** (phía đầu vào ở bên trái, thang log): các cột nhỏ dần về phía đầu "
                    "vào nghĩa là gradient đang tiêu biến.",
    "tr_grad_axis": "chuẩn gradient của trọng số",
    "tr_download": "Tải mô hình về (.safetensors)",
    "tr_run_link": "Đường dẫn của trang giờ có `run={run}`: mở lại sau (hoặc trên thiết bị khác) để tìm lại lần chạy "
                   "này. Các trang khác (Bộ lọc, Quan sát, Giải thích) cũng dùng được mô hình này.",
    "warn_run_missing": "Không tìm thấy lần chạy `{run}`: có thể nó vẫn đang chuẩn bị epoch đầu tiên, hoặc máy chủ đã "
                        "quên nó.",
    "err_train_settings": "Các thiết lập này không khớp với nhau: {reason}",
    "job_oom_gpu": "Lần chạy đã dùng hết bộ nhớ GPU trên {device}. Hãy giảm kích thước lô, độ rộng mô hình hoặc số "
                   "ảnh, hoặc huấn luyện trên CPU.",
    "job_oom_cpu": "Lần chạy đã dùng hết bộ nhớ của máy chủ (khi huấn luyện trên CPU). Hãy giảm kích thước lô, độ "
                   "rộng mô hình hoặc số ảnh.",
    "job_storage": "Lần chạy không lưu được tệp: thư mục lưu các lần chạy trên máy chủ đã đầy hoặc không ghi được. "
                   "Hãy nhờ người quản lý máy chủ giải phóng dung lượng đĩa hoặc sửa thư mục; chi tiết nằm trong "
                   "nhật ký của máy chủ.",
    "job_failed": "Lần chạy dừng vì một lỗi không lường trước ({kind}). Chi tiết nằm trong nhật ký của máy chủ; chạy "
                  "lại có thể giúp.",
}
