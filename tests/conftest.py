"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def _nothing_written_into_the_repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Datasets and runs a test makes without choosing a folder go to a temporary one, never into
    the repository's data/ and runs/ (a test that sets CNNVIZ_DATA/CNNVIZ_RUNS itself still wins)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CNNVIZ_DATA", str(tmp_path_factory.mktemp("data")))
        patch.setenv("CNNVIZ_RUNS", str(tmp_path_factory.mktemp("runs")))
        yield


@pytest.fixture
def one_thread() -> Iterator[None]:
    """One intra-op thread: the machine is shared, and results must not depend on thread count."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
