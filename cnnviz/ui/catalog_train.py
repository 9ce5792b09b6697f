"""UI text of the Train page, in English and Vietnamese (merged into cnnviz.ui.catalog)."""

import cnnviz.export  # noqa: F401 - registers the English of its messages, translated below
import cnnviz.transfer  # noqa: F401 - likewise

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
    "tr_gradients": "**Gradient size per layer** (input side on the left, log scale). Compare the first layer "
                    "with the last, not the bars' slope: in a healthy ReLU network the first layer often gets the "
                    "smallest gradient too, but within about 10× of the last; in a deep sigmoid network it gets "
                    "10⁵× less or worse (vanishing gradients). Compare the ratio below with a healthy run's.",
    "tr_grad_axis": "weight-gradient norm",
    "tr_download": "Download the model (.safetensors)",
    "tr_run_link": "This page's link now contains `run={run}`: open it later (or on another device) to find this run "
                   "again. Other pages (Filters, Inspect, Attributions) can use the model too.",
    "warn_run_missing": "Run `{run}` was not found: it may still be preparing its first epoch, or the server has "
                        "forgotten it.",
    "err_train_settings": "These settings do not fit together: {reason}",
    "tr_tab_start": "Start from",
    "tr_f_init_from": "Start from (transfer learning)",
    "tr_f_freeze": "Freeze (keep as trained)",
    "tr_freeze_none": "Nothing: every layer goes on learning",
    "tr_freeze_features": "Every convolution (the learned features)",
    "tr_freeze_all_but_head": "Everything but the head (the last classifier layer)",
    "tr_f_new_head": "Replace the head (a new classifier layer, from random weights)",
    "tr_new_head_help": "Needed when the new dataset has other classes than the model knows; with the same "
                        "classes, keeping the head starts from the model's own answers.",
    "tr_src_scratch": "Random weights (train from scratch)",
    "tr_src_shipped": "{arch} on {dataset} · shipped · {acc}%",
    "tr_src_run": "Your run {run}: {title}",
    "tr_from_help": "Transfer learning starts from a model that has already learned, instead of random weights: "
                    "its first layers' edge and stroke detectors fit other images too. Frozen layers keep their "
                    "weights; the rest learn the new data. It pays off most on a small training set: try it "
                    "with a few hundred images and compare with training from scratch.",
    "tr_example": "Example: LeNet-5 from digits, fine-tuned on 300 handwritten digits",
    "tr_example_help": "Sets everything: the shipped LeNet-5, its convolutions frozen, a new head, 300 real "
                       "handwritten digits (validated on 500 the shipped model never saw). Then press “Start "
                       "both” to compare with training from scratch.",
    "tr_params_frozen": "{n} of {total} parameters train ({frozen} frozen) · trains on {device}",
    "tr_start_pair": "Start both: this and from scratch",
    "tr_pair_help": "Two runs with the same settings, one from the chosen model and one from random weights, "
                    "their curves on one chart.",
    "tr_start_busy": "This run is training with these very settings. Change a setting to queue another run, "
                     "or stop this one.",
    "tr_starting": "Training has started; the first points appear after the first steps…",
    "tr_run_title": "**{title}** · `{run}`",
    "tr_settings_changed": "These curves are from the run above; the settings on the left have changed since. "
                           "Press Start to train them: this run stays in the charts for comparison.",
    "tr_step": "train, per step",
    "tr_grad_ratio": "{title}: first trained layer ÷ last layer = **{ratio}**",
    "tr_export": "Export as a PyTorch script",
    "tr_export_help": "A train.py that needs only PyTorch and NumPy (not cnnviz): the same model, initial "
                      "weights, data and recipe; for the same seed its first step equals this page's. The "
                      "built-in datasets travel beside it in data.npz (only cnnviz can generate them); MNIST, "
                      "Fashion-MNIST and CIFAR-10 it downloads itself.",
    "tr_export_settings": "Download the script for these settings (.zip)",
    "tr_export_run": "Download the script for the run shown (.zip)",
    "err_export": "This cannot be exported: {reason}",
    "err_transfer": "This run cannot start from the chosen model: {reason}",
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
    "tr_running": "Đang huấn luyện epoch {epoch} trên {epochs}",
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
    "tr_gradients": "**Độ lớn gradient theo lớp** (phía đầu vào ở bên trái, thang log). Hãy so lớp đầu với lớp "
                    "cuối, đừng nhìn độ dốc của các cột: ở một mạng ReLU khoẻ mạnh, lớp đầu cũng thường nhận gradient "
                    "nhỏ nhất, nhưng chỉ kém lớp cuối khoảng 10 lần; ở một mạng sigmoid sâu, nó nhận ít hơn 10⁵ lần "
                    "trở lên (tiêu biến gradient). Hãy so tỉ số bên dưới với tỉ số của một lần chạy khoẻ mạnh.",
    "tr_grad_axis": "chuẩn gradient của trọng số",
    "tr_download": "Tải mô hình về (.safetensors)",
    "tr_run_link": "Đường dẫn của trang giờ có `run={run}`: mở lại sau (hoặc trên thiết bị khác) để tìm lại lần chạy "
                   "này. Các trang khác (Bộ lọc, Soi mô hình, Giải thích) cũng dùng được mô hình này.",
    "warn_run_missing": "Không tìm thấy lần chạy `{run}`: có thể nó vẫn đang chuẩn bị epoch đầu tiên, hoặc máy chủ đã "
                        "quên nó.",
    "err_train_settings": "Các thiết lập này không khớp với nhau: {reason}",
    "tr_tab_start": "Khởi đầu",
    "tr_f_init_from": "Bắt đầu từ (học chuyển giao)",
    "tr_f_freeze": "Đóng băng (giữ nguyên như đã huấn luyện)",
    "tr_freeze_none": "Không gì cả: mọi lớp tiếp tục học",
    "tr_freeze_features": "Mọi lớp tích chập (các đặc trưng đã học)",
    "tr_freeze_all_but_head": "Mọi thứ trừ lớp phân loại cuối",
    "tr_f_new_head": "Thay lớp phân loại cuối (một lớp mới, trọng số ngẫu nhiên)",
    "tr_new_head_help": "Cần khi tập dữ liệu mới có các loại khác với những loại mô hình đã biết; nếu cùng các "
                        "loại, giữ lớp cuối thì mô hình bắt đầu từ chính câu trả lời của nó.",
    "tr_src_scratch": "Trọng số ngẫu nhiên (huấn luyện từ đầu)",
    "tr_src_shipped": "{arch} trên {dataset} · có sẵn · {acc}%",
    "tr_src_run": "Lần chạy {run} của bạn: {title}",
    "tr_from_help": "Học chuyển giao bắt đầu từ một mô hình đã học, thay vì trọng số ngẫu nhiên: các bộ dò cạnh và "
                    "nét ở những lớp đầu của nó cũng hợp với ảnh khác. Các lớp bị đóng băng giữ nguyên trọng số; "
                    "phần còn lại học dữ liệu mới. Cách này có lợi nhất khi tập huấn luyện nhỏ: hãy thử với vài "
                    "trăm ảnh và so với huấn luyện từ đầu.",
    "tr_example": "Ví dụ: LeNet-5 học từ chữ số, tinh chỉnh trên 300 chữ số viết tay",
    "tr_example_help": "Đặt sẵn mọi thứ: LeNet-5 có sẵn, đóng băng các lớp tích chập, một lớp phân loại cuối mới, "
                       "300 chữ số viết tay thật (kiểm định trên 500 ảnh mà mô hình có sẵn chưa từng thấy). Sau "
                       "đó bấm “Bắt đầu cả hai” để so với huấn luyện từ đầu.",
    "tr_params_frozen": "{n} trong {total} tham số được huấn luyện ({frozen} bị đóng băng) · huấn luyện trên {device}",
    "tr_start_pair": "Bắt đầu cả hai: lần này và từ đầu",
    "tr_pair_help": "Hai lần chạy cùng thiết lập, một từ mô hình đã chọn và một từ trọng số ngẫu nhiên, đường "
                    "cong của cả hai trên cùng một biểu đồ.",
    "tr_start_busy": "Lần chạy này đang huấn luyện đúng với các thiết lập này. Hãy đổi một thiết lập để xếp hàng "
                     "một lần chạy khác, hoặc dừng lần này.",
    "tr_starting": "Đã bắt đầu huấn luyện; các điểm đầu tiên sẽ hiện sau vài bước đầu…",
    "tr_run_title": "**{title}** · `{run}`",
    "tr_settings_changed": "Các đường cong này là của lần chạy ở trên; các thiết lập bên trái đã thay đổi từ lúc "
                           "đó. Bấm Bắt đầu để huấn luyện chúng: lần chạy này vẫn ở lại trên biểu đồ để so sánh.",
    "tr_step": "huấn luyện, theo bước",
    "tr_grad_ratio": "{title}: lớp đầu được huấn luyện ÷ lớp cuối = **{ratio}**",
    "tr_export": "Xuất thành tệp lệnh PyTorch",
    "tr_export_help": "Một tệp train.py chỉ cần PyTorch và NumPy (không cần cnnviz): cùng mô hình, trọng số ban "
                      "đầu, dữ liệu và công thức; với cùng hạt giống, bước đầu tiên của nó giống hệt trang này. "
                      "Các tập dữ liệu có sẵn đi kèm trong data.npz (chỉ cnnviz tạo được chúng); MNIST, "
                      "Fashion-MNIST và CIFAR-10 thì tệp lệnh tự tải về.",
    "tr_export_settings": "Tải tệp lệnh cho các thiết lập này (.zip)",
    "tr_export_run": "Tải tệp lệnh cho lần chạy đang hiển thị (.zip)",
    "err_export": "Không xuất được: {reason}",
    "err_transfer": "Lần chạy này không bắt đầu được từ mô hình đã chọn: {reason}",
    "tl_missing": ("Mô hình để bắt đầu ({source}) không có trọng số đã lưu: nó đã bị xoá, hoặc là một lần chạy "
                   "chưa xong epoch đầu tiên. Hãy chọn một mô hình khác để bắt đầu."),
    "tl_shape": ("Mô hình để bắt đầu nhận ảnh {source} (kênh × cao × rộng), nhưng tập {dataset} có ảnh {run}. "
                 "Lớp đầu tiên của nó chỉ khớp với kiểu ảnh nó đã học: hãy chọn một tập dữ liệu có ảnh "
                 "{source}, hoặc một mô hình khác để bắt đầu."),
    "tl_arch": ("Mô hình để bắt đầu là {source}, còn kiến trúc của lần chạy này là {run}: trọng số đã huấn luyện "
                "chỉ khớp với đúng mạng đó. Hãy đặt kiến trúc là {source} trong thẻ Mô hình."),
    "tl_activation": ("Mô hình để bắt đầu đã học với hàm kích hoạt {source}, lần chạy này dùng {run}: trọng số của "
                      "nó sẽ gặp những hàm khác. Hãy đặt hàm kích hoạt là {source}."),
    "tl_batchnorm_on": ("Mô hình để bắt đầu không có lớp BatchNorm, còn lần chạy này có: trọng số không khớp. "
                        "Hãy tắt BatchNorm trong thẻ Mô hình."),
    "tl_batchnorm_off": ("Mô hình để bắt đầu có các lớp BatchNorm, còn lần chạy này không có: trọng số không "
                         "khớp. Hãy bật BatchNorm trong thẻ Mô hình."),
    "tl_size": ("Mô hình để bắt đầu có độ sâu {source_depth} và độ rộng {source_width}, lần chạy này có độ sâu "
                "{run_depth} và độ rộng {run_width}: trọng số chỉ khớp với đúng các kích thước đó. Hãy đặt "
                "chúng trong thẻ Mô hình."),
    "tl_classes": ("Mô hình để bắt đầu phân biệt {source} ({source_count} loại), còn tập {dataset} có {run} "
                   "({run_count} loại): lớp phân loại cuối của nó chỉ gọi được tên các loại cũ. Hãy thay lớp "
                   "phân loại cuối để huấn luyện một bộ phân loại mới cho các loại này."),
    "tl_no_convs": "MLP không có lớp tích chập nào để đóng băng: hãy đóng băng mọi thứ trừ lớp phân loại cuối, "
                   "hoặc không đóng băng gì.",
    "export_too_large": ("Các thiết lập này huấn luyện trên {images:,} ảnh ({mb:.0f} MB), quá nhiều để xuất kèm "
                         "tệp lệnh: giới hạn là {limit_mb:.0f} MB. Hãy giảm số ảnh huấn luyện hoặc kiểm định, "
                         "hoặc dùng một tập dữ liệu mà tệp lệnh tự tải về (MNIST, Fashion-MNIST, CIFAR-10)."),
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
