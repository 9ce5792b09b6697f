"""Shared helpers for AppTest tests: start a page, read the output maps back from Plotly specs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def run_page(page: str, params: dict[str, str] | None = None) -> AppTest:
    """Run ``page`` the way the server does: app.py is the entry, pages/ scripts are its pages."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    if page != "app.py":
        at.switch_page(page)
    return at.run()


def output_maps(at: AppTest) -> list[list[list[str]]]:
    """The text written in every cell of every output map, in page order."""
    maps = []
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        maps.append(spec["data"][0]["text"])
    return maps


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


@pytest.fixture
def conv() -> AppTest:
    at = run_page("pages/convolution.py")
    no_exception(at)
    return at
