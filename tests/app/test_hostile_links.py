"""Links crafted to hurt: every URL parameter of every page, with Markdown that would make a browser
fetch an outside picture, and with numbers Python's int() and float() mishandle. Each value must be
reported as text (rendered here by a CommonMark parser: no image, link or HTML survives), and no
page may raise."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from tests.app.conftest import no_exception, run_page

TRAIN_FIELDS = ["dataset", "n_train", "n_val", "arch", "activation", "init", "batchnorm", "dropout", "depth",
                "width", "epochs", "batch_size", "optimizer", "lr", "momentum", "nesterov", "weight_decay",
                "schedule", "label_smoothing", "normalize", "flip", "translate", "erase", "seed", "rung", "run"]
# page -> (its parameters, parameters that must be valid for the others to be read)
PAGES = {
    "pages/convolution.py": (["input", "kernel", "bias", "stride", "padding", "dilation", "view", "pool",
                              "pool_size", "pool_stride", "channel", "step", "lang"], {}),
    "pages/filters.py": (["image", "filters", "sigma", "lmodel"], {}),
    "pages/train.py": (TRAIN_FIELDS, {}),
    "pages/inspect.py": (["model", "image"], {}),
    "pages/attributions.py": (["layer", "methods", "target"], {"model": "shipped:lenet5_digits"}),
}
PAYLOADS = ["x`![](//e.vil/a.png)`", "![](//e.vil/b.png)", "<img src=//e.vil/c>", "[x](//e.vil/d)"]
NUMBERS = ["²", "9" * 4301, "1_0", "nan"]
MARKUP = ("image", "link_open", "html_inline", "html_block")
PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _shown(at: AppTest) -> list[str]:
    """The Markdown source of everything the page renders as Markdown."""
    kinds = ("markdown", "caption", "warning", "error", "info", "success", "title", "header", "subheader")
    return [str(el.value) for kind in kinds for el in at.get(kind)]


def _markup(source: str) -> list[str]:
    found = []
    for token in PARSER.parse(source):
        for t in [token, *(token.children or [])]:
            if t.type in MARKUP:
                found.append(f"{t.type}: {t.content or t.attrs}")
    return found


def _run(page: str, values: dict[str, str]) -> AppTest:
    at = run_page(page, values)
    no_exception(at)
    return at


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("page", list(PAGES))
def test_markdown_in_a_link_stays_text(page: str, payload: str) -> None:
    names, valid = PAGES[page]
    at = _run(page, {**{name: payload for name in names}, **valid})
    shown = _shown(at)
    assert not [m for s in shown for m in _markup(s)], page
    warned = " ".join(el.value for el in at.warning)
    missing = [name for name in names if f"{name}=" not in warned and f"'{name}'" not in warned
               and f"`{name}`" not in warned and not (name == "lang" and "language" in warned)]
    assert not missing, f"{page}: no warning names {missing}"


@pytest.mark.parametrize("number", NUMBERS)
@pytest.mark.parametrize("page", list(PAGES))
def test_numbers_python_mishandles_are_refused(page: str, number: str) -> None:
    names, valid = PAGES[page]
    _run(page, {**{name: number for name in names}, **valid})


def test_learned_epoch_of_a_run_link() -> None:
    for number in [*NUMBERS, "0", "3"]:
        _run("pages/filters.py", {"lmodel": "shipped:tinyvgg_shapes", "lepoch": number})


def test_a_checkpoints_class_names_stay_text(tmp_path) -> None:
    from cnnviz.models.builders import ModelConfig, build_model
    from cnnviz.models.checkpoints import CheckpointInfo, checkpoint_bytes

    cfg = ModelConfig("lenet5", (1, 28, 28), num_classes=4)
    names = tuple(p[:20] for p in PAYLOADS)
    info = CheckpointInfo(config=cfg, dataset="![](//e.vil/ds)", classes=names, in_shape=cfg.in_shape,
                          mean=(0.5,), std=(0.5,), note="[n](//e.vil/n)")
    data = checkpoint_bytes(build_model(cfg).eval(), info)
    for page in ("pages/inspect.py", "pages/attributions.py"):
        at = _run(page, {"model": "upload"})
        key = "insp_ckpt_file" if "inspect" in page else "attr_ckpt_file"
        at.file_uploader(key=key).set_value(("![](//e.vil/f).safetensors", data, "application/octet-stream")).run()
        no_exception(at)
        assert not [m for s in _shown(at) for m in _markup(s)], page
        assert "//e.vil/" in " ".join(PARSER.render(s) for s in _shown(at))  # shown, as text
