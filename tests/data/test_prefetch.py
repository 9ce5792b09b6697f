"""cnnviz.data.prefetch on small files it makes and serves itself (file:// URLs, a fake urlopen), and on
its offline path. Nothing real is ever downloaded: every test replaces the sources."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import socket
from pathlib import Path
from urllib.error import URLError
from urllib.request import Request
from urllib.request import urlopen as real_urlopen

import numpy as np
import pytest

from cnnviz.data import prefetch
from cnnviz.data.datasets import load_torchvision
from cnnviz.data.prefetch import Item, dataset_items, fetch_item, verify, weight_items
from cnnviz.models.pretrained import IMAGENET_MODELS, weights_file
from tests.helpers import idx_bytes


def offline(*_args: object, **_kwargs: object) -> None:
    raise URLError(socket.gaierror(-3, "Temporary failure in name resolution"))


def local_only(request: Request, timeout: float) -> object:
    """file:// URLs are read; any other URL behaves as on a machine without internet."""
    if not request.full_url.startswith("file://"):
        offline()
    return real_urlopen(request, timeout=timeout)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a test forgets, no request leaves this machine."""
    monkeypatch.setattr(prefetch, "urlopen", local_only)


def every_file(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def small_file(folder: Path, name: str, data: bytes) -> tuple[str, str, str]:
    """Write ``data`` as ``folder/name``; return its file:// URL, MD5 and SHA-256."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return (folder / name).as_uri(), hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest()


def test_offline_every_file_fails_with_its_own_line_and_nothing_is_left(tmp_path: Path) -> None:
    lines: list[str] = []
    code = prefetch.main(["--data", str(tmp_path / "data"), "--weights", str(tmp_path / "w")], lines.append)
    items = dataset_items(tmp_path / "data") + weight_items(tmp_path / "w")
    failed = [line for line in lines if line.strip().startswith("FAILED")]
    assert code == 1 and len(failed) == len(items) == 12
    for item in items:
        assert any(item.path.name in line and item.group in line for line in failed)
    assert all("name resolution" in line for line in failed)
    assert "12 of 12 files are missing" in lines[-1]
    assert not (tmp_path / "data").exists() and not (tmp_path / "w").exists()  # not even folders


def test_the_items_are_where_the_app_looks(tmp_path: Path) -> None:
    by_group = {}
    for item in dataset_items(tmp_path) + weight_items(tmp_path / "hub"):
        by_group.setdefault(item.group, []).append(item)
    assert sorted(by_group) == sorted(["mnist", "fashion_mnist", "cifar10", *IMAGENET_MODELS])
    for name in IMAGENET_MODELS:
        (item,) = by_group[name]
        assert item.path == weights_file(name, tmp_path / "hub") and item.sha256_prefix
        assert item.path.name.split("-")[-1].startswith(item.sha256_prefix)
    assert {i.path.parent for i in by_group["mnist"]} == {tmp_path / "MNIST" / "raw"}
    assert {i.path.parent for i in by_group["fashion_mnist"]} == {tmp_path / "FashionMNIST" / "raw"}
    assert by_group["cifar10"][0].path == tmp_path / "cifar-10-python.tar.gz"
    assert all(len(i.md5 or "") == 32 for g in ("mnist", "fashion_mnist", "cifar10") for i in by_group[g])


def test_a_good_file_is_fetched_verified_and_kept(tmp_path: Path) -> None:
    url, md5, sha = small_file(tmp_path / "src", "tiny.bin", b"weights" * 100)
    item = Item("resnet18", tmp_path / "hub" / f"tiny-{sha[:8]}.pth", (url,), sha256_prefix=sha[:8])
    lines: list[str] = []
    assert fetch_item(item, lines.append)
    assert item.path.read_bytes() == b"weights" * 100
    assert any(sha in line and "SHA-256 prefix verified" in line for line in lines)
    assert fetch_item(item, lines.append) and "already there" in lines[-1]
    assert [p.name for p in every_file(item.path.parent)] == [item.path.name]  # no temporary file


def test_a_corrupted_download_is_refused_and_the_next_mirror_is_tried(tmp_path: Path) -> None:
    good = b"\x1f\x8b real archive"
    url_good, md5, _ = small_file(tmp_path / "mirror2", "train.gz", good)
    url_bad, _, _ = small_file(tmp_path / "mirror1", "train.gz", good[:-3] + b"xxx")
    item = Item("mnist", tmp_path / "data" / "train.gz", (url_bad,), md5=md5)
    lines: list[str] = []
    assert not fetch_item(item, lines.append)
    assert "MD5" in lines[-1] and "not the published" in lines[-1]
    assert every_file(tmp_path / "data") == []  # refused files are never kept
    item = dataclasses.replace(item, urls=(url_bad, url_good))
    assert fetch_item(item, lines.append) and item.path.read_bytes() == good


def test_a_damaged_file_in_place_is_replaced(tmp_path: Path) -> None:
    url, md5, _ = small_file(tmp_path / "src", "t10k.gz", b"the real bytes")
    item = Item("mnist", tmp_path / "data" / "t10k.gz", (url,), md5=md5)
    item.path.parent.mkdir(parents=True)
    item.path.write_bytes(b"the real byt")  # cut short by an earlier copy
    lines: list[str] = []
    assert fetch_item(item, lines.append)
    assert "damaged" in lines[0] and item.path.read_bytes() == b"the real bytes"


def test_verify_checks_both_kinds_of_checksum() -> None:
    md5, sha = hashlib.md5(b"a").hexdigest(), hashlib.sha256(b"a").hexdigest()
    assert verify(Item("x", Path("f"), (), md5=md5), md5, sha) is None
    assert verify(Item("x", Path("f"), (), md5="0" * 32), md5, sha)
    assert verify(Item("x", Path("f"), (), sha256_prefix=sha[:8]), md5, sha) is None
    assert verify(Item("x", Path("f"), (), sha256_prefix="deadbeef"), md5, sha)


def idx_gz(array: np.ndarray) -> bytes:
    """An MNIST idx file (magic, sizes, bytes), gzipped with a fixed time stamp (the same bytes,
    so the same checksum, every time)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as f:
        f.write(idx_bytes(array))
    return buffer.getvalue()


class FakeResponse(io.BytesIO):
    headers = {"Content-Length": None}


def test_main_serves_small_mnist_files_and_the_app_loads_them(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Through urlopen (faked) and main: placed where cnnviz.data.datasets reads them, one file corrupted."""
    rng = np.random.default_rng(0)
    files = {"train-images-idx3-ubyte.gz": idx_gz(rng.integers(0, 255, (3, 28, 28))),
             "train-labels-idx1-ubyte.gz": idx_gz(np.array([1, 2, 3])),
             "t10k-images-idx3-ubyte.gz": idx_gz(rng.integers(0, 255, (2, 28, 28))),
             "t10k-labels-idx1-ubyte.gz": idx_gz(np.array([4, 5]))}
    real = [i for i in dataset_items(tmp_path / "data") if i.group == "mnist"]
    items = [dataclasses.replace(i, md5=hashlib.md5(files[i.path.name]).hexdigest()) for i in real]
    monkeypatch.setattr(prefetch, "dataset_items", lambda root: items)
    monkeypatch.setattr(prefetch, "urlopen", lambda request, timeout: FakeResponse(
        files[request.full_url.rsplit("/", 1)[1]]))
    argv = ["--only", "mnist", "--data", str(tmp_path / "data"), "--weights", str(tmp_path / "w")]
    assert prefetch.main(argv, lambda line: None) == 0
    split = load_torchvision("mnist", tmp_path / "data", download=False)
    assert split.y_train.tolist() == [1, 2, 3] and split.x_val.shape == (2, 1, 28, 28)
    items[1].path.unlink()
    files["train-labels-idx1-ubyte.gz"] = idx_gz(np.array([9, 9, 9]))  # no longer the published file
    lines: list[str] = []
    assert prefetch.main(argv, lines.append) == 1
    assert any("FAILED" in line and "train-labels" in line and "MD5" in line for line in lines)
    assert not items[1].path.exists() and "1 of 4 files are missing" in lines[-1]


def test_unknown_names_are_refused(tmp_path: Path) -> None:
    lines: list[str] = []
    assert prefetch.main(["--only", "imagenet", "--data", str(tmp_path)], lines.append) == 2
    assert "imagenet" in lines[0] and "resnet18" in lines[0]
