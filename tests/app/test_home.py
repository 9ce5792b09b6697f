"""Home page and navigation: what each page teaches, the device, and the language switch."""

import pytest
import torch

from cnnviz.ui.common import NAV
from tests.app.conftest import no_exception, run_page


def test_home_lists_the_pages_and_the_device() -> None:
    at = run_page("app.py")
    no_exception(at)
    assert at.title[0].value.startswith("cnnviz")
    text = " ".join(m.value for m in at.markdown)
    shown = " ".join(m.value for m in [*at.markdown, *at.caption])
    # the machine's own device: the GPU's name on a CUDA server, the CPU elsewhere (the thread
    # count is the script thread's, which may differ from this test's own thread)
    assert "Slide a kernel" in text
    if torch.cuda.is_available():
        assert torch.cuda.get_device_name(0) in shown
    else:
        assert "CPU (" in shown and "CUDA" not in shown


def test_language_switch_translates_the_page() -> None:
    at = run_page("app.py")
    at.button_group(key="lang_switch").set_value("vi").run()
    no_exception(at)
    assert at.title[0].value == "cnnviz: nhìn vào bên trong mạng tích chập"
    assert at.query_params["lang"] == "vi"


def test_lang_url_parameter() -> None:
    at = run_page("app.py", {"lang": "vi"})
    no_exception(at)
    assert at.title[0].value == "cnnviz: nhìn vào bên trong mạng tích chập"
    assert at.button_group(key="lang_switch").value == "vi"


def test_entry_script_navigates_to_the_lab() -> None:
    at = run_page("app.py", {"lang": "vi"})
    no_exception(at)
    links = [el.proto for el in at.sidebar.get("page_link")]
    assert [link.label for link in links] == ["Trang chủ", "Tích chập", "Bộ lọc", "Huấn luyện", "Soi mô hình",
                                              "Giải thích", "Kiến trúc", "Khối xây dựng"]
    at.switch_page("pages/convolution.py").run()
    no_exception(at)
    assert at.title[0].value == "Phòng thí nghiệm tích chập"


@pytest.mark.parametrize("script", [script for script, _, _ in NAV])
def test_every_page_runs_once_inside_the_shared_frame(script: str) -> None:
    """Streamlit runs a deep-linked page script without app.py until the server's first
    st.navigation (AppTest starts every run that way): the page still gets the frame, once."""
    at = run_page(script, {"lang": "vi"})
    no_exception(at)
    assert len(at.sidebar.get("page_link")) == len(NAV)
    assert at.button_group(key="lang_switch").value == "vi"
    assert len(at.title) == 1 and at.title[0].value
