"""UI text of the Train page, in English and Vietnamese (merged into cnnviz.ui.catalog)."""

EN: dict[str, str] = {
    "nav_train": "Train",
    "card_train_title": "Train a CNN live",
    "card_train_teaches": "Train small networks on built-in data and watch loss, accuracy and the first-layer "
                          "filters change while it learns. Climb the recipe ladder from an MLP to a deep sigmoid "
                          "CNN that does not learn, then ReLU, normalisation, BatchNorm, He init, skip "
                          "connections, regularisation, augmentation and learning-rate decay.",
}

VI: dict[str, str] = {
    "nav_train": "Huấn luyện",
    "card_train_title": "Huấn luyện CNN trực tiếp",
    "card_train_teaches": "Huấn luyện các mạng nhỏ trên dữ liệu có sẵn và xem hàm mất mát, độ chính xác và các bộ "
                          "lọc lớp đầu thay đổi trong khi mạng học. Leo bậc thang công thức từ MLP đến CNN sâu "
                          "dùng sigmoid không học được, rồi ReLU, chuẩn hoá đầu vào, BatchNorm, khởi tạo He, kết "
                          "nối tắt, điều chuẩn, tăng cường dữ liệu và giảm tốc độ học.",
}
