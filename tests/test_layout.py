"""The library's layout: subpackages that say what they hold, every module with its ``__all__``, and
Streamlit (or any cnnviz.ui import) only inside cnnviz/ui. Walks every folder, however deep."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "cnnviz"
UI = LIBRARY / "ui"
MODULES = sorted(p for p in LIBRARY.rglob("*.py") if p.name != "__init__.py")
PACKAGES = sorted(p.parent for p in LIBRARY.rglob("__init__.py") if p.parent not in (LIBRARY, UI))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _imported(tree: ast.Module) -> set[str]:
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, "the library imports absolutely"
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _all_of(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return ast.literal_eval(node.value)
    return None


def test_the_walk_reaches_the_subpackages() -> None:
    assert {p.name for p in PACKAGES} >= {"conv", "course", "imaging", "explain", "models", "data", "train",
                                          "classroom"}
    assert all(any(m.parent == p for m in MODULES) for p in PACKAGES)
    assert len([m for m in MODULES if m.parent not in (LIBRARY, UI)]) > 50


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_streamlit_and_the_ui_stay_inside_cnnviz_ui() -> None:
    def ui_imports(path: Path) -> set[str]:
        return {n for n in _imported(_tree(path)) if n == "streamlit" or n.startswith(("streamlit.", "cnnviz.ui"))}
    assert {_name(p): ui_imports(p) for p in MODULES if UI not in p.parents and ui_imports(p)} == {}


def test_every_library_module_says_what_it_exports() -> None:
    def silent(path: Path) -> bool:
        tree = _tree(path)
        return not ast.get_docstring(tree) or _all_of(tree) is None
    assert [_name(p) for p in MODULES if UI not in p.parents and silent(p)] == []


def test_a_package_describes_its_modules_and_imports_none() -> None:
    for package in PACKAGES:
        tree = _tree(package / "__init__.py")
        assert ast.get_docstring(tree), package.name
        assert _all_of(tree) == sorted(p.stem for p in package.glob("*.py") if p.name != "__init__.py"), package.name
        assert not _imported(tree), package.name  # light: `python -m cnnviz.train.worker` loads only what it needs
