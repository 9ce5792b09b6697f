"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import torch_threads


@pytest.fixture(autouse=True, scope="session")
def _nothing_written_into_the_repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Datasets and runs a test makes without choosing a folder go to a temporary one, never into
    the repository's data/ and runs/ (a test that sets CNNVIZ_DATA/CNNVIZ_RUNS itself still wins)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CNNVIZ_DATA", str(tmp_path_factory.mktemp("data")))
        patch.setenv("CNNVIZ_RUNS", str(tmp_path_factory.mktemp("runs")))
        yield


@pytest.fixture(scope="module")
def one_thread() -> Iterator[None]:
    """One intra-op torch thread for the module that asks for it (its module fixtures included),
    the previous count restored after its last test: small models gain nothing from threads on a
    shared 2-core machine (their spinning made files several times slower), and results must not
    depend on the thread count. Modules ask with `pytestmark = pytest.mark.usefixtures("one_thread")`."""
    with torch_threads(1):
        yield
