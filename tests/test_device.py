"""The compute device and the CPU thread budget."""

from __future__ import annotations

import pytest
import torch

from cnnviz.device import WEB_THREADS, best_device, configure_threads, cpu_cores, describe_device, thread_budget


def test_best_device_is_cpu_without_cuda_and_described() -> None:
    assert best_device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert describe_device().startswith("CPU (") or "CUDA" in describe_device()


@pytest.mark.usefixtures("one_thread")  # the count these tests set is undone after the module
@pytest.mark.parametrize("value,expected", [("1", 1), (" 2 ", 2), ("0", 4), ("-1", 4), ("x", 4),
                                            ("", 4), ("1.5", 4), ("²", 4), ("99999", 4)])
def test_thread_setting_from_the_environment(value: str, expected: int) -> None:
    assert configure_threads(4, {"CNNVIZ_TORCH_THREADS": value}) == expected
    assert torch.get_num_threads() == expected


@pytest.mark.usefixtures("one_thread")
def test_unset_gives_the_web_budget() -> None:
    torch.set_num_threads(2)
    assert configure_threads(env={}) == WEB_THREADS == torch.get_num_threads() == 1


@pytest.mark.parametrize("cores,replicas,workers,web,worker", [
    (2, 1, 1, 1, 1), (16, 2, 2, 1, 7), (4, 1, 1, 1, 3), (1, 1, 1, 1, 1), (8, 4, 3, 1, 1), (64, 1, 0, 1, 0)])
def test_budget_never_asks_for_more_threads_than_cores(cores, replicas, workers, web, worker) -> None:
    budget = thread_budget(cores, replicas, workers)
    assert (budget["web"], budget["cpu_worker"]) == (web, worker)
    if cores >= replicas + workers:  # enough cores for one thread each: the sum fits
        assert replicas * budget["web"] + workers * budget["cpu_worker"] <= cores


def test_budget_rejects_nonsense_and_cores_are_counted() -> None:
    for bad in ((0, 1, 1), (2, 0, 1), (2, 1, -1), (2.0, 1, 1)):
        with pytest.raises(ValueError):
            thread_budget(*bad)
    assert cpu_cores() >= 1
