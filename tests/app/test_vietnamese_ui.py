"""The Vietnamese interface writes what the app itself writes in Vietnamese: model lines, the
device, numbers (61.706, 0,003), kernel as one word; no English the app could have translated."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import no_exception, run_page

PAGES = {
    "app.py": {},
    "pages/convolution.py": {},
    "pages/filters.py": {},
    "pages/train.py": {},
    "pages/inspect.py": {"model": "shipped:lenet5_digits"},
    "pages/attributions.py": {"model": "shipped:lenet5_digits", "methods": "saliency"},
    "pages/architectures.py": {},
    "pages/blocks.py": {},
}
# English the app used to write on Vietnamese pages (model lines, the device, placeholders).
ENGLISH = re.compile(r"\bparameters\b|\bthreads?\b|\bHe init\b|\bPyTorch init\b|\bblocks, width\b|"
                     r"\bChoose options\b|\bthe shipped\b|\btrained on\b|\bvalidation accuracy\b|\bcpu\b")


def texts(at: AppTest) -> list[str]:
    """Every text the page shows: element bodies, widget labels, help texts and option labels."""
    found: list[str] = []

    def walk(node: object) -> None:
        kind = getattr(node, "type", "")
        for attr in ("label", "help", "placeholder"):
            value = getattr(node, attr, None)
            if isinstance(value, str):
                found.append(value)
        if kind in ("markdown", "caption", "title", "header", "subheader", "text", "alert", "error",
                    "warning", "info", "success"):
            value = getattr(node, "value", None)
            if isinstance(value, str):
                found.append(value)
        for option in getattr(node, "options", None) or []:
            if isinstance(option, str):
                found.append(option)
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)

    walk(at._tree)
    return found


@pytest.mark.parametrize("page", list(PAGES))
def test_vietnamese_pages_write_no_english_of_their_own(page: str) -> None:
    at = run_page(page, {"lang": "vi", **PAGES[page]})
    no_exception(at)
    shown = texts(at)
    assert len(shown) > 5
    english = [s for s in shown if ENGLISH.search(re.sub(r"`[^`]*`", "", s))]
    assert not english, english
    assert any("CPU (" in s and "luồng)" in s for s in shown) or any("CUDA" in s for s in shown)


def test_model_lines_and_numbers_follow_the_language() -> None:
    vi = texts(run_page("pages/inspect.py", {"lang": "vi", "model": "shipped:lenet5_digits"}))
    en = texts(run_page("pages/inspect.py", {"lang": "en", "model": "shipped:lenet5_digits"}))
    assert any("LeNet-5 · ReLU · khởi tạo He · 61.706 tham số" in s for s in vi), vi
    assert any("LeNet-5 · ReLU · He init · 61,706 parameters" in s for s in en), en
    accuracy = [s for s in vi if "độ chính xác trên tập kiểm định" in s]
    assert accuracy and all(re.search(r"\d+,\d%", s) for s in accuracy), accuracy


def test_kernel_is_one_word_in_vietnamese() -> None:
    from cnnviz.ui.catalog import CATALOGS

    # "nhân" is also multiplication (phép nhân): a kernel is "kernel" everywhere
    as_kernel = re.compile(r"(?<!phép )\b[Nn]hân (học|cổ|nhỏ|kích|này|Sobel|\{k\})")
    mixed = {key: text for key, text in CATALOGS["vi"].items() if as_kernel.search(str(text))}
    assert not mixed, mixed


def test_architecture_numbers_are_written_the_readers_way() -> None:
    vi = run_page("pages/architectures.py", {"lang": "vi", "arch": "vgg16"})
    en = run_page("pages/architectures.py", {"lang": "en", "arch": "vgg16"})
    no_exception(vi)
    assert "138.357.544" in [m.value for m in vi.metric]
    assert "138,357,544" in [m.value for m in en.metric]
