"""Both catalogs are complete: every key in one is in the other, and every key the code uses exists."""

import ast
import re
import string
from pathlib import Path

import pytest

from cnnviz.explain.attribution import MESSAGES as ATTR_MESSAGES
from cnnviz.models.checkpoints import MESSAGES as CKPT_MESSAGES
from cnnviz.data.datasets import DATASETS
from cnnviz.data.datasets import MESSAGES as DATA_MESSAGES
from cnnviz.models.pretrained import MESSAGES as WEIGHTS_MESSAGES
from cnnviz.imaging.filters import CLASSIC_FILTERS, COMPOSITE_FILTERS
from cnnviz.conv.grids import INPUT_PRESETS, KERNEL_PRESETS
from cnnviz.imaging.images import MESSAGES, PATTERNS, SAMPLE_PHOTOS
from cnnviz.train.jobs import MESSAGES as JOB_MESSAGES
from cnnviz.train.recipes import LADDER
from cnnviz.ui.catalog import CATALOGS, EN, VI
from cnnviz.ui.conv_lab import STEP_LABELS
from cnnviz.ui.home import PAGES
from cnnviz.ui.train_page import _LABELS as TRAIN_LABELS
from cnnviz.train.trainstate import FIELDS as TRAIN_FIELDS
from cnnviz.ui.i18n import translate

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("cnnviz/**/*.py")]


def _literal_keys() -> set[str]:
    """Keys passed as string literals to t(...), and message keys returned by the library."""
    keys = set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("t", "page_setup") and node.args:
                if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    keys.add(node.args[0].value)
        keys |= set(re.findall(r"""["']((?:err|warn)_[a-z_]+)["']""", path.read_text(encoding="utf-8")))
    return keys


def _dynamic_keys() -> set[str]:
    """Keys the code builds with f-strings, from the lists it builds them from."""
    return ({f"in_{p}" for p in INPUT_PRESETS} | {f"k_{p}" for p in KERNEL_PRESETS}
            | {f"sv_{k}" for k in STEP_LABELS} | {"view_conv", "view_pool", "pad_same", "pad_valid",
                                                    "pool_max", "pool_avg", "in_custom", "k_custom"}
            | {f"{prefix}_{part}" for _, _, prefix in PAGES for part in ("title", "teaches")}
            | {f"flt_{n}" for n in CLASSIC_FILTERS + COMPOSITE_FILTERS} | set(MESSAGES) | set(DATA_MESSAGES)
            | {f"img_name_{n}" for n in (*SAMPLE_PHOTOS, *PATTERNS, "upload", "webcam")}
            | _train_keys() | _inspect_keys())


def _inspect_keys() -> set[str]:
    """Model picker, picture source and preprocessing steps of the Inspect and Attributions pages."""
    return ({f"mp_ds_{n}" for n in DATASETS} | {f"src_invert_{m}" for m in ("auto", "on", "off")}
            | {"prep_gray", "prep_invert", "prep_centre", "prep_same_size", "prep_resize", "prep_resize_crop",
               "prep_normalise", "src_draw"}
            | set(CKPT_MESSAGES) | set(WEIGHTS_MESSAGES) | set(ATTR_MESSAGES)
            | {f"dom_{r}" for r in ("random", "photo", "pattern", "colour", "background", "unverified")}
            | {f"dom_kind_{k}" for k in ("digits", "clothes", "shapes", "other")})


def _train_keys() -> set[str]:
    """Train page: one label per setting, per text choice, per ladder rung and per way a run ends."""
    choices = {f"tr_{name}_{c}" for name, f in TRAIN_FIELDS.items()
               if f.kind == "choice" and name not in TRAIN_LABELS for c in f.choices if isinstance(c, str)}
    return ({f"tr_f_{name}" for name in TRAIN_FIELDS} | choices | set(JOB_MESSAGES)
            | {f"tr_{kind}_{r.key}" for r in LADDER for kind in ("rung", "why")}
            | {f"tr_done_{how}" for how in ("done", "diverged", "cancelled")})


def test_catalogs_have_the_same_keys() -> None:
    assert set(EN) - set(VI) == set(), "missing in Vietnamese"
    assert set(VI) - set(EN) == set(), "missing in English"


def test_every_key_used_exists() -> None:
    used = _literal_keys() | _dynamic_keys()
    assert len(used) > 50
    assert used - set(EN) == set()


def _forms(entry: str | dict[str, str]) -> list[str]:
    """A text, or each of its plural forms."""
    return [entry] if isinstance(entry, str) else list(entry.values())


@pytest.mark.parametrize("key", sorted(EN))
def test_translations_have_the_same_placeholders(key: str) -> None:
    fields = [{f for text in _forms(cat[key]) for _, f, _, _ in string.Formatter().parse(text) if f}
              for cat in CATALOGS.values()]
    assert fields[0] == fields[1]
    assert all(text.strip() for cat in CATALOGS.values() for text in _forms(cat[key]))


def test_plural_forms_are_the_languages_own() -> None:
    """A text with plural forms has exactly the categories CLDR gives its language, and an ``n``."""
    from babel import Locale

    plural = {key for cat in CATALOGS.values() for key, entry in cat.items() if isinstance(entry, dict)}
    assert "nm_cpu" in plural
    for lang, cat in CATALOGS.items():
        tags = set(Locale.parse(lang).plural_form.tags) | {"other"}
        for key in plural:
            assert isinstance(cat[key], dict) and set(cat[key]) == tags, (lang, key)
            assert all("{n" in text for text in cat[key].values()), (lang, key)
    assert translate("en", "nm_cpu", n=1) == "CPU (1 thread)" and translate("en", "nm_cpu", n=2) == "CPU (2 threads)"


def test_each_language_has_the_same_files_with_the_same_keys() -> None:
    """A translator works file by file: every English file has its Vietnamese twin, key for key."""
    import tomllib

    from cnnviz.ui.catalog import LOCALES

    files = {lang: {p.name: tomllib.loads(p.read_text(encoding="utf-8")) for p in (LOCALES / lang).glob("*.toml")}
             for lang in CATALOGS}
    from cnnviz.errors import ALL_MESSAGES

    assert len(files["en"]) >= 5 and set(files["en"]) == set(files["vi"])
    for name, texts in files["en"].items():
        # the Vietnamese file also translates the library's messages (their English is in the library)
        assert list(texts) == [k for k in files["vi"][name] if k not in ALL_MESSAGES], name


def test_translate_falls_back_and_never_raises() -> None:
    assert translate("vi", "nav_conv") == "Tích chập"
    assert translate("xx", "nav_conv") == "Convolution"
    assert translate("en", "no_such_key") == "no_such_key"
    assert translate("en", "err_empty", unused=1) == EN["err_empty"]
    assert "{row}" in translate("en", "err_not_number", value="x")  # a missing argument shows the raw text


def test_library_messages_have_one_english_copy() -> None:
    """The library's English texts are read from cnnviz.errors, never copied into a catalog."""
    import tomllib

    from cnnviz.errors import ALL_MESSAGES
    from cnnviz.ui.catalog import LOCALES

    assert {"job_oom_cpu", "ckpt_shape", "img_truncated", "err_not_number"} <= set(ALL_MESSAGES)
    english = list((LOCALES / "en").glob("*.toml"))
    assert english
    for path in english:
        own = set(tomllib.loads(path.read_text(encoding="utf-8")))
        assert not own & set(ALL_MESSAGES), path.name
    assert all(EN[key] == text and key in VI for key, text in ALL_MESSAGES.items())


# Vietnamese uses "lớp" for a layer; a class the model predicts is a "nhãn" (or "loại"), a school
# class a "lớp học" ("cả lớp" is the whole class).
_LAYERISH = re.compile(r"layer|convolution|fully connected|perceptron|\bpool|batchnorm|\bhead\b", re.I)
_CLASS_WORD = re.compile(r"\bclass(es)?\b", re.I)


@pytest.mark.parametrize("key", sorted(VI))
def test_vietnamese_keeps_layer_and_class_apart(key: str) -> None:
    vi, en = " ".join(_forms(VI[key])), " ".join(_forms(EN[key]))
    bare = re.sub(r"cả lớp|lớp học", "", vi, flags=re.I)
    if re.search(r"\blớp\b", bare, re.I):
        assert _LAYERISH.search(en), f"{key}: 'lớp' (layer) where the English says no layer: {vi!r}"
    if _CLASS_WORD.search(en):
        assert re.search(r"nhãn|loại|lớp học|cả lớp", vi, re.I), f"{key}: a class needs nhãn/loại/lớp học: {vi!r}"


def test_the_lab_counts_its_maps_and_steps_in_words_that_agree() -> None:
    assert translate("en", "output_header", n=1, h=3, w=3) == "Output: 1 map of 3×3"
    assert translate("en", "output_header", n=2, h=2, w=4) == "Output: 2 maps of 2×4"
    assert "takes only 1 step of 4;" in translate("en", "stride_misfit", exact="1.25", n=1, stride=4)
    assert "takes only 2 steps of 3;" in translate("en", "stride_misfit", exact="2.33", n=2, stride=3)
    assert translate("vi", "output_header", n=2, h=2, w=4) == "Đầu ra: 2 bản đồ 2×4"


def test_layer_texts_count_input_channels_in_words_that_agree() -> None:
    one, three = translate("en", "input_channels", n=1), translate("en", "input_channels", n=3)
    assert (one, three) == ("1 input channel", "3 input channels")
    assert "6 filters of 5×5 over 1 input channel, stride 1" in translate(
        "en", "insp_kind_conv", n=6, k="5×5", channels=one, stride=1, pad=0)
    assert translate("en", "insp_kernels_all", n=16, channels=three, k="3×3").startswith(
        "16 filters (rows) × 3 input channels (columns)")
    assert "trên 1 kênh đầu vào, bước trượt 1" in translate(
        "vi", "insp_kind_conv", n=6, k="5×5", channels=translate("vi", "input_channels", n=1), stride=1, pad=0)
    assert not any("(s)" in form for cat in CATALOGS.values() for entry in cat.values() for form in _forms(entry))
