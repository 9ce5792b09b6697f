"""UI text of teaching a class (joining, presenting, questions and their tally, the class's runs), in
English and Vietnamese (merged into cnnviz.ui.catalog); also the Vietnamese of the classroom
library's messages."""

EN: dict[str, str] = {
}

VI: dict[str, str] = {
    "cls_no_teacher": ("Tính năng dành cho giáo viên đang tắt trên máy chủ này: người quản lý máy chủ đặt mật khẩu "
                       "giáo viên (CNNVIZ_TEACHER_PASSWORD) để bật."),
    "cls_bad_password": "Đó không phải mật khẩu giáo viên.",
    "cls_bad_code": "Không có lớp học nào có mã {code}. Hãy hỏi lại giáo viên (chữ và số, dài {length} ký tự).",
    "cls_too_many_tries": "Nhập sai mã quá nhiều lần: hãy chờ {seconds} giây rồi thử lại.",
    "cls_ended": "Lớp học này đã kết thúc. Hãy hỏi giáo viên mã mới.",
    "cls_bad_nickname": ("Biệt danh gồm 1 đến {limit} chữ cái, chữ số, dấu cách, dấu chấm, dấu nháy hoặc gạch nối, "
                         "bắt đầu bằng chữ cái hoặc chữ số."),
    "cls_nickname_taken": "Đã có bạn trong lớp dùng biệt danh {nickname}; hãy chọn biệt danh khác.",
    "cls_not_teacher": "Chỉ giáo viên của lớp mới làm được việc này.",
    "q_not_open": "Câu hỏi này đã đóng: đáp án đã được công bố.",
    "q_bad_number": "Hãy nhập một số (ví dụ 3, -2 hoặc 0,5).",
    "q_bad_choice": "Hãy chọn một trong các đáp án có sẵn.",
}
