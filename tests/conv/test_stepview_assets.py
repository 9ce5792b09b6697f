"""The step view's stylesheet and scripts are package files: every one the module names is there, no
other stylesheet or script lies beside it unused, and each reaches the page and the component whole."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cnnviz.conv import stepview
from cnnviz.conv.arithmetic import conv_trace, pool_trace
from cnnviz.conv.transposed import transpose_trace

FOLDER = Path(stepview.__file__).parent


def _text(name: str) -> str:
    return (FOLDER / name).read_text(encoding="utf-8")


def test_the_asset_files_are_exactly_those_the_module_reads() -> None:
    beside = sorted(p.name for p in FOLDER.iterdir() if p.suffix in (".css", ".js"))
    assert beside == sorted(stepview.ASSET_FILES)
    assert all(_text(name).strip() for name in stepview.ASSET_FILES)


def test_every_page_carries_the_stylesheet_and_the_scripts_whole() -> None:
    css, player, page, _ = (_text(name) for name in stepview.ASSET_FILES)
    x = np.arange(16, dtype=float).reshape(1, 4, 4)
    pages = [stepview.conv_step_html(conv_trace(x, np.ones((1, 1, 2, 2))), 0, 0, {}),
             stepview.pool_step_html(pool_trace(x, "max", 2), 0, 0, {}),
             stepview.transpose_step_html(transpose_trace(x, np.ones((1, 1, 2, 2))), 0, 0, {})]
    for html in pages:
        assert html.count("<style>") == 1 and f"<style>\n{css}</style>" in html
        assert html.endswith(f"<script>\n{player}\n{page}</script></body></html>")


def test_the_component_carries_the_player_and_its_own_start() -> None:
    css, player, _, component = (_text(name) for name in stepview.ASSET_FILES)
    assert stepview.COMPONENT_JS == f"\n{player}\n{component}"
    assert "export default function" in component and "export default" not in player
    # the page's body rule becomes the shadow root's, every other rule is the page's
    assert stepview.COMPONENT_CSS.startswith("\n") and "body{" not in stepview.COMPONENT_CSS
    assert stepview.COMPONENT_CSS.replace(":host{display:block;", "body{margin:0;") == f"\n{css}.svbox{{overflow-x:auto}}"
