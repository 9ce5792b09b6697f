"""The compute device and the CPU thread setting."""

from __future__ import annotations

import pytest
import torch

from cnnviz.device import best_device, configure_threads, describe_device


@pytest.fixture
def restore_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_best_device_is_cpu_without_cuda_and_described() -> None:
    assert best_device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert describe_device().startswith("CPU (") or "CUDA" in describe_device()


@pytest.mark.usefixtures("restore_threads")
@pytest.mark.parametrize("value,expected", [("1", 1), (" 2 ", 2), ("0", None), ("-1", None), ("x", None),
                                            ("", None), ("1.5", None)])
def test_thread_setting_from_the_environment(value: str, expected: int | None) -> None:
    torch.set_num_threads(3)
    assert configure_threads({"CNNVIZ_TORCH_THREADS": value}) == expected
    assert torch.get_num_threads() == (expected or 3)


@pytest.mark.usefixtures("restore_threads")
def test_unset_keeps_torchs_default() -> None:
    torch.set_num_threads(2)
    assert configure_threads({}) is None and torch.get_num_threads() == 2
