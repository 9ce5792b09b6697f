"""UI text about reading maps, in English and Vietnamese (merged into cnnviz.ui.catalog): warnings
when a picture is not the kind a model was trained on, colour bars, layer vectors and kernels."""

EN: dict[str, str] = {
    # cnnviz.domain: next to the prediction
    "dom_kind_digits": "handwritten digits",
    "dom_kind_clothes": "grey pictures of clothes",
    "dom_kind_shapes": "generated coloured shapes",
    "dom_kind_other": "the pictures of its training set",
    "dom_random": "**Random weights:** this model learned nothing. Its answer and every map below are what an "
                  "untrained network computes, however convincing they look.",
    "dom_photo": "**Not a picture this model knows:** it was trained only on {kind}, so it must answer one of its "
                 "{n} classes even for this photo. The answer, and every map of it, explain a guess.",
    "dom_pattern": "**Not a picture this model knows:** it was trained only on {kind}; this test pattern still gets "
                   "one of its {n} classes. The answer, and every map of it, explain a guess.",
    "dom_colour": "**A colour picture into a model of grey pictures:** it was trained only on {kind} and sees just "
                  "the brightness of this picture.",
    "dom_background": "**This does not look like its training pictures:** it was trained on {kind}, one on a plain "
                      "background; this picture has no plain background. Expect a guess among its {n} classes.",
    "dom_unverified": "**Check the picture:** this model was trained only on {kind}; whatever the picture shows, "
                      "it answers one of its {n} classes.",
    # next to every map
    "dom_map_random": "⚠ Random weights: no learned evidence in this map.",
    "dom_map_other": "⚠ Not a picture this model knows: this map explains a guess.",
    # colour bars and hover
    "map_hover": "x %{x} · y %{y}<br>value %{z:.4g}",
    "map_colour_note": "Colours span the 1st–99th percentile of each map (symmetric about 0 when signed); the colour "
                       "bar gives the values, and hovering a pixel shows its true value.",
    "attr_colour_note": "Each map's colour bar is in its own units (up to its 99th percentile); hover a pixel for "
                        "its true value. Where a map is near zero only the greyed picture shows.",
    "attr_row_scale": "Every tile is scaled to its own 99th percentile (0 to 1 on the Viridis map).",
    # Inspect: fully connected layers and kernels
    "insp_vector_header": "Output of {layer}: a vector of {n} numbers",
    "insp_vector_note": "A fully connected (or flattened) layer has no feature maps: each bar is one number of its "
                        "output, hover it to read the value.",
    "insp_vector_logits": "The last layer: one score (logit) per class; softmax turns them into the probabilities "
                          "above.",
    "insp_kind_linear": "A fully connected layer: each of its {n} outputs is a weighted sum of all {c} inputs plus a "
                        "bias ({n} × {c} weights).",
    "insp_kind_flatten": "Flatten: the feature maps laid end to end as one vector of {n} numbers, for the fully "
                         "connected layers that follow.",
    "insp_linear_weights": "Weights of {layer}: {n} outputs (rows) × {c} inputs (columns); hover a cell for its value.",
    "insp_kernel_values": "Each weight is written in its cell; hover for more digits.",
    "insp_kernel_hover": "Hover a cell to read its weight.",
    "insp_vector_hover": "%{x}: %{y:.4g}",
    "insp_linear_part": "Drawn: the first {r} rows × {c} columns.",
    # Filters: the compared kernel pair in a link
    "lrn_pair_help": "Kept in the page's link (lpair), so a shared link opens the same comparison.",
}

VI: dict[str, str] = {
    "dom_kind_digits": "chữ số viết tay",
    "dom_kind_clothes": "ảnh xám của quần áo",
    "dom_kind_shapes": "các hình màu được sinh tự động",
    "dom_kind_other": "các ảnh trong tập huấn luyện của nó",
    "dom_random": "**Trọng số ngẫu nhiên:** mô hình này chưa học gì. Câu trả lời và mọi bản đồ bên dưới chỉ là "
                  "những gì một mạng chưa huấn luyện tính ra, dù trông có vẻ thuyết phục.",
    "dom_photo": "**Không phải loại ảnh mô hình này biết:** nó chỉ được huấn luyện trên {kind}, nên buộc phải trả lời "
                 "một trong {n} nhãn của nó ngay cả với ảnh chụp này. Câu trả lời và mọi bản đồ của nó chỉ giải "
                 "thích một phỏng đoán.",
    "dom_pattern": "**Không phải loại ảnh mô hình này biết:** nó chỉ được huấn luyện trên {kind}; mẫu thử này vẫn "
                   "nhận một trong {n} nhãn của nó. Câu trả lời và mọi bản đồ của nó chỉ giải thích một phỏng đoán.",
    "dom_colour": "**Ảnh màu vào một mô hình ảnh xám:** nó chỉ được huấn luyện trên {kind} và chỉ thấy độ sáng của "
                  "ảnh này.",
    "dom_background": "**Ảnh này không giống ảnh huấn luyện của nó:** nó được huấn luyện trên {kind}, mỗi ảnh trên "
                      "một nền trơn; ảnh này không có nền trơn. Hãy coi câu trả lời là một phỏng đoán trong {n} nhãn.",
    "dom_unverified": "**Hãy kiểm tra ảnh:** mô hình này chỉ được huấn luyện trên {kind}; dù ảnh có gì, nó vẫn trả "
                      "lời một trong {n} nhãn của nó.",
    "dom_map_random": "⚠ Trọng số ngẫu nhiên: bản đồ này không chứa bằng chứng nào đã học.",
    "dom_map_other": "⚠ Không phải loại ảnh mô hình này biết: bản đồ này giải thích một phỏng đoán.",
    "map_hover": "x %{x} · y %{y}<br>giá trị %{z:.4g}",
    "map_colour_note": "Màu trải từ phân vị 1 đến 99 của từng bản đồ (đối xứng quanh 0 khi có dấu); thanh màu cho biết "
                       "giá trị, và di chuột lên một điểm ảnh để xem giá trị thật của nó.",
    "attr_colour_note": "Thanh màu của mỗi bản đồ theo đơn vị riêng của nó (đến phân vị 99); di chuột lên một điểm "
                        "ảnh để xem giá trị thật. Nơi bản đồ gần 0 chỉ thấy ảnh đã làm xám.",
    "attr_row_scale": "Mỗi ô được chia theo phân vị 99 của chính nó (từ 0 đến 1 trên thang Viridis).",
    "insp_vector_header": "Đầu ra của {layer}: một vectơ {n} số",
    "insp_vector_note": "Một lớp kết nối đầy đủ (hoặc lớp làm phẳng) không có bản đồ đặc trưng: mỗi cột là một số "
                        "của đầu ra, di chuột lên để đọc giá trị.",
    "insp_vector_logits": "Lớp cuối: một điểm (logit) cho mỗi nhãn; softmax biến chúng thành các xác suất ở trên.",
    "insp_kind_linear": "Một lớp kết nối đầy đủ: mỗi đầu ra trong {n} đầu ra là tổng có trọng số của cả {c} đầu vào "
                        "cộng độ lệch ({n} × {c} trọng số).",
    "insp_kind_flatten": "Làm phẳng: các bản đồ đặc trưng được xếp nối tiếp thành một vectơ {n} số cho các lớp kết "
                         "nối đầy đủ phía sau.",
    "insp_linear_weights": "Trọng số của {layer}: {n} đầu ra (hàng) × {c} đầu vào (cột); di chuột lên một ô để xem "
                           "giá trị.",
    "insp_kernel_values": "Mỗi trọng số được ghi trong ô của nó; di chuột để xem thêm chữ số.",
    "insp_kernel_hover": "Di chuột lên một ô để đọc trọng số.",
    "insp_vector_hover": "%{x}: %{y:.4g}",
    "insp_linear_part": "Phần được vẽ: {r} hàng × {c} cột đầu tiên.",
    "lrn_pair_help": "Được giữ trong đường liên kết của trang (lpair), nên một liên kết được chia sẻ sẽ mở đúng phép "
                     "so sánh này.",
}
