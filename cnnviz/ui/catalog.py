"""UI text in English and Vietnamese, kept as data: one TOML file per part of the app in
``cnnviz/ui/locales/<lang>/`` (a translator edits those, nothing else). Every key exists in every
language and appears once per language (tests check). A value is a string with ``{name}`` places,
or a table of plural forms (``{ one = "…", other = "…" }``, CLDR's categories as Babel names them).
The library's own messages are English in the library (cnnviz.errors) and not copied here."""

from __future__ import annotations

import tomllib
from pathlib import Path

# The library's own messages: importing the modules registers them in cnnviz.errors.
import cnnviz.classroom.class_data, cnnviz.classroom.classes, cnnviz.classroom.questions  # noqa: E401,F401
import cnnviz.conv.grids, cnnviz.data.datasets, cnnviz.explain.attribution, cnnviz.explain.budget  # noqa: E401,F401
import cnnviz.imaging.images, cnnviz.imaging.learned, cnnviz.models.checkpoints, cnnviz.models.pretrained  # noqa: E401,F401
import cnnviz.train.export, cnnviz.train.jobs, cnnviz.train.jobstore, cnnviz.train.runs  # noqa: E401,F401
import cnnviz.train.transfer  # noqa: F401
from cnnviz.errors import ALL_MESSAGES

__all__ = ["CATALOGS", "EN", "LOCALES", "VI", "Text", "load"]

LOCALES = Path(__file__).with_name("locales")
Text = str | dict[str, str]  # a text, or its plural forms


def load(lang: str, folder: Path = LOCALES) -> dict[str, Text]:
    """Every text of ``lang``: its TOML files merged; a key in two files is an error."""
    merged: dict[str, Text] = {}
    for path in sorted((folder / lang).glob("*.toml")):
        part = tomllib.loads(path.read_text(encoding="utf-8"))
        twice = set(merged) & set(part)
        if twice:
            raise RuntimeError(f"{path.name}: keys already defined in another file: {sorted(twice)}")
        merged.update(part)
    return merged


EN = load("en")
VI = load("vi")
_twice = set(EN) & set(ALL_MESSAGES)
if _twice:
    raise RuntimeError(f"library messages copied into the English files: {sorted(_twice)}")
EN.update(ALL_MESSAGES)

CATALOGS = {"en": EN, "vi": VI}
