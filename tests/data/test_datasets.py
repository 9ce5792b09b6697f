"""The dataset registry, the embedded generators, the cache and the torchvision loaders."""

from __future__ import annotations

import gzip
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from urllib.error import URLError

import numpy as np
import pytest
import torch

from cnnviz.data import datasets
from cnnviz.data.datasets import (DATASETS, HANDWRITTEN_SIZE, MESSAGES, DatasetUnavailable,
                         handwritten_digits, load_embedded, load_torchvision, make_digits,
                         make_shapes)
from cnnviz.data.strokes import make_strokes
from tests.helpers import idx_bytes, torch_threads

GENERATORS = {"shapes": make_shapes, "digits": make_digits, "strokes": make_strokes}


@pytest.fixture(scope="module")
def samples() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """3,000 images of each embedded set, shared by the tests that only look at them."""
    return {name: make(3000, 7) for name, make in GENERATORS.items()}


# --- registry ------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(DATASETS))
def test_registry_entries_are_consistent(key: str) -> None:
    info = DATASETS[key]
    assert info.name == key
    c, h, w = info.shape
    assert c in (1, 3) and h == w and h in (28, 32)
    assert len(info.classes) == 10 and len(set(info.classes)) == 10
    assert len(info.mean) == len(info.std) == c
    assert all(0 < m < 1 for m in info.mean) and all(0 < s < 0.5 for s in info.std)
    assert info.embedded == (key in GENERATORS or key == "handwritten")


def test_registry_names_real_class_names() -> None:
    assert DATASETS["fashion_mnist"].classes[0] == "T-shirt/top"
    assert DATASETS["fashion_mnist"].classes[9] == "Ankle boot"
    assert DATASETS["cifar10"].classes[0] == "airplane" and DATASETS["cifar10"].classes[9] == "truck"
    assert DATASETS["mnist"].classes == tuple("0123456789")


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_registry_statistics_match_generated_data(name: str, samples) -> None:
    x = samples[name][0].astype(np.float64) / 255
    mean, std = x.mean(axis=(0, 2, 3)), x.std(axis=(0, 2, 3))
    np.testing.assert_allclose(DATASETS[name].mean, mean, atol=0.02)
    np.testing.assert_allclose(DATASETS[name].std, std, atol=0.02)


# --- generators ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generator_shapes_dtypes_and_balance(name: str) -> None:
    x, y = GENERATORS[name](103, 1)
    assert x.shape == (103, *DATASETS[name].shape) and x.dtype == np.uint8
    assert y.shape == (103,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=10)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 103


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generator_is_deterministic_by_seed(name: str) -> None:
    a, b, c = (GENERATORS[name](50, s) for s in (3, 3, 4))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_images_use_the_whole_range(name: str, samples) -> None:
    x = samples[name][0]
    assert x.min() == 0 and x.max() == 255
    # Not blank: every image has a clear foreground against its background.
    assert (x.reshape(len(x), -1).std(axis=1) > 20).all()


def _spectrum(x: np.ndarray) -> np.ndarray:
    """log |FFT| of the grey image: blind to position and to which colour is in front."""
    grey = x.astype(np.float32).mean(axis=1)
    grey -= grey.mean(axis=(1, 2), keepdims=True)
    return np.log1p(np.abs(np.fft.rfft2(grey))).reshape(len(x), -1)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_class_means_are_distinct(name: str, samples) -> None:
    x, y = samples[name]
    feats = _spectrum(x) if name == "shapes" else x.reshape(len(x), -1) / 255.0
    means = np.stack([feats[y == c].mean(0) for c in range(10)])
    spread = np.linalg.norm(feats - means[y], axis=1).mean()  # typical distance inside a class
    gaps = np.linalg.norm(means[:, None] - means[None], axis=2)[~np.eye(10, dtype=bool)]
    assert gaps.min() > 0.1 * spread


def test_stripes_run_the_way_their_class_says(samples) -> None:
    x, y = samples["shapes"]
    # Brightness as the eye sees it: the generator guarantees contrast in this, not per channel.
    grey = np.tensordot(x.astype(np.float32), np.array([0.299, 0.587, 0.114], np.float32), ([1], [0]))
    dx = np.abs(np.diff(grey, axis=2)).mean(axis=(1, 2))
    dy = np.abs(np.diff(grey, axis=1)).mean(axis=(1, 2))
    horizontal, vertical = y == 6, y == 7
    assert (dy[horizontal] > 1.8 * dx[horizontal]).all()
    assert (dx[vertical] > 1.8 * dy[vertical]).all()
    diagonal = y == 8  # both directions change about equally
    assert np.median(dx[diagonal] / dy[diagonal]) == pytest.approx(1.0, abs=0.3)


def test_digits_are_white_on_black(samples) -> None:
    x, y = samples["digits"]
    border = np.concatenate([x[:, 0, 0], x[:, 0, -1], x[:, 0, :, 0], x[:, 0, :, -1]], axis=1)
    assert np.median(border) < 20 and np.percentile(x, 99) > 200
    ink = (x > 128).mean(axis=(1, 2, 3))
    assert ink[y == 1].mean() < ink[y == 8].mean()  # a one has less ink than an eight


def _val_accuracy(feats: np.ndarray, y: np.ndarray, n_train: int) -> float:
    """Softmax regression trained with Adam on the first n_train rows, scored on the rest."""
    torch.manual_seed(0)
    f = torch.from_numpy(feats).float()
    f = (f - f[:n_train].mean(0)) / (f[:n_train].std(0) + 1e-6)
    t = torch.from_numpy(y)
    model = torch.nn.Linear(f.shape[1], 10)
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-3)
    # One thread: on a busy 2-core machine two threads spin on each other (25x slower here).
    with torch_threads(1):
        for _ in range(200):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(f[:n_train]), t[:n_train]).backward()
            opt.step()
    with torch.no_grad():
        return (model(f[n_train:]).argmax(1) == t[n_train:]).float().mean().item()


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_a_linear_model_learns_each_set(name: str, samples) -> None:
    x, y = samples[name]
    feats = _spectrum(x) if name == "shapes" else x.reshape(len(x), -1) / 255.0
    assert _val_accuracy(feats, y, 2000) > 0.5  # chance is 0.1


# --- cache ---------------------------------------------------------------------------------------

def _assert_equal_splits(a: datasets.Split, b: datasets.Split) -> None:
    for field in ("x_train", "y_train", "x_val", "y_val"):
        assert torch.equal(getattr(a, field), getattr(b, field))


def test_load_embedded_returns_tensors_of_the_asked_sizes(tmp_path: Path) -> None:
    split = load_embedded("digits", 30, 12, seed=2, cache_dir=tmp_path)
    assert split.x_train.shape == (30, 1, 28, 28) and split.x_train.dtype == torch.uint8
    assert split.y_val.shape == (12,) and split.y_val.dtype == torch.int64
    assert not torch.equal(split.x_train[:12], split.x_val)  # independent streams
    assert (tmp_path / "digits-30-12-2.pt").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["digits-30-12-2.pt"]  # no temp file left


def test_second_load_reads_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_embedded("shapes", 20, 10, seed=5, cache_dir=tmp_path)

    def refuse(n: int, rng: np.random.Generator) -> None:
        raise AssertionError("regenerated instead of reading the cache")

    monkeypatch.setitem(datasets._GENERATORS, "shapes", refuse)
    _assert_equal_splits(first, load_embedded("shapes", 20, 10, seed=5, cache_dir=tmp_path))


def test_cache_dir_defaults_to_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNNVIZ_DATA", str(tmp_path / "cache"))
    load_embedded("digits", 10, 10, seed=0)
    assert (tmp_path / "cache" / "digits-10-10-0.pt").is_file()


@pytest.mark.parametrize("damage", [b"", b"not a torch file", None])
def test_damaged_cache_is_regenerated(tmp_path: Path, damage: bytes | None) -> None:
    good = load_embedded("digits", 20, 10, seed=1, cache_dir=tmp_path)
    path = tmp_path / "digits-20-10-1.pt"
    if damage is None:  # loadable but wrong: a truncated set from some other code
        torch.save({"version": datasets._CACHE_VERSION, "x_train": good.x_train[:5],
                    "y_train": good.y_train[:5], "x_val": good.x_val, "y_val": good.y_val}, path)
    else:
        path.write_bytes(damage)
    _assert_equal_splits(good, load_embedded("digits", 20, 10, seed=1, cache_dir=tmp_path))
    _assert_equal_splits(good, datasets._read_cache(path, "digits", 20, 10))  # and rewritten


# --- real handwriting ---------------------------------------------------------------------------

def test_handwritten_digits_are_sklearns_upsampled_into_mnists_box() -> None:
    from sklearn.datasets import load_digits

    x, y = handwritten_digits()
    bunch = load_digits()
    assert x.shape == (HANDWRITTEN_SIZE, 1, 28, 28) and x.dtype == np.uint8
    np.testing.assert_array_equal(y, bunch.target)
    assert not x[:, :, :4].any() and not x[:, :, 24:].any()  # black border outside the 20x20 box
    assert not x[:, :, :, :4].any() and not x[:, :, :, 24:].any()
    # Averaging each 20x20 box back down to 8x8 gives the original strokes (0..16 scaled to 0..255).
    box = torch.from_numpy(x[:, :, 4:24, 4:24]).float()
    down = torch.nn.functional.adaptive_avg_pool2d(box, 8)[:, 0].numpy()
    corr = np.corrcoef(down.ravel(), bunch.images.ravel())[0, 1]
    assert corr > 0.95  # a transposed or shifted layout scores far lower
    mean, std = x.astype(np.float64).mean() / 255, (x.astype(np.float64) / 255).std()
    np.testing.assert_allclose(DATASETS["handwritten"].mean, [mean], atol=0.002)
    np.testing.assert_allclose(DATASETS["handwritten"].std, [std], atol=0.002)


def test_handwritten_split_is_seeded_and_disjoint(tmp_path: Path) -> None:
    a = load_embedded("handwritten", 1297, 500, seed=0, cache_dir=tmp_path)
    b = load_embedded("handwritten", 1297, 500, seed=0, cache_dir=tmp_path)
    c = load_embedded("handwritten", 1297, 500, seed=1, cache_dir=tmp_path)
    _assert_equal_splits(a, b)
    assert not torch.equal(a.x_val, c.x_val)
    x, _ = handwritten_digits()
    rows = {bytes(img) for img in x}  # every sample is used at most once across the two parts
    seen = [bytes(img) for img in torch.cat([a.x_train, a.x_val]).numpy()]
    assert len(rows) > 1700 and set(seen) <= rows
    assert len({bytes(v) for v in a.x_val.numpy()} & {bytes(t) for t in a.x_train.numpy()}) <= 5
    assert list(tmp_path.iterdir()) == []  # nothing to cache


@pytest.mark.parametrize("n_train,n_val", [(1797, 1), (0, 0), (-1, 10), (1000, 900)])
def test_handwritten_split_sizes_are_checked(n_train: int, n_val: int) -> None:
    with pytest.raises(ValueError, match="1797"):
        load_embedded("handwritten", n_train, n_val)


def test_unknown_embedded_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="mnist"):
        load_embedded("mnist", 10, 10, cache_dir=tmp_path)


# --- torchvision ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "cifar10"])
def test_offline_download_names_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           name: str) -> None:
    # What urlopen raises when no name resolves; patched so the test never waits on a network.
    def offline(*args: object, **kwargs: object) -> None:
        raise URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DatasetUnavailable) as caught:
        load_torchvision(name, tmp_path, download=True)
    err = caught.value
    assert isinstance(err, ValueError) and err.key == "data_offline"
    assert err.args_["folder"] == str(tmp_path) and err.args_["name"] == name
    assert ("cifar-10-python.tar.gz" if name == "cifar10" else "train-images-idx3-ubyte") in err.args_["files"]
    MESSAGES[err.key].format(**err.args_)  # every placeholder is supplied


def test_missing_files_without_download_are_unavailable(tmp_path: Path) -> None:
    with pytest.raises(DatasetUnavailable):
        load_torchvision("mnist", tmp_path, download=False)


@pytest.mark.parametrize("name, folder, packed", [("mnist", "MNIST", False),
                                                  ("fashion_mnist", "FashionMNIST", True)])
def test_loads_mnist_format_files_from_a_folder(tmp_path: Path, name: str, folder: str,
                                                packed: bool) -> None:
    rng = np.random.default_rng(0)
    arrays = {"train-images-idx3-ubyte": rng.integers(0, 256, (20, 28, 28)),
              "train-labels-idx1-ubyte": rng.integers(0, 10, 20),
              "t10k-images-idx3-ubyte": rng.integers(0, 256, (8, 28, 28)),
              "t10k-labels-idx1-ubyte": rng.integers(0, 10, 8)}
    raw = tmp_path / folder / "raw"
    raw.mkdir(parents=True)
    for stem, array in arrays.items():
        if packed:  # the .gz files exactly as they are downloaded
            (raw / f"{stem}.gz").write_bytes(gzip.compress(idx_bytes(array)))
        else:
            (raw / stem).write_bytes(idx_bytes(array))
    split = load_torchvision(name, tmp_path, download=False)
    assert split.x_train.dtype == torch.uint8 and split.x_train.shape == (20, 1, 28, 28)
    assert np.array_equal(split.x_train[:, 0].numpy(), arrays["train-images-idx3-ubyte"])
    assert np.array_equal(split.y_train.numpy(), arrays["train-labels-idx1-ubyte"])
    assert np.array_equal(split.x_val[:, 0].numpy(), arrays["t10k-images-idx3-ubyte"])
    assert np.array_equal(split.y_val.numpy(), arrays["t10k-labels-idx1-ubyte"])
    assert split.y_val.dtype == torch.int64


def test_cifar_layout_becomes_channels_first() -> None:
    # CIFAR10 keeps (N, H, W, C) numpy and a list of labels; the batch files are md5-checked,
    # so this checks the conversion on an object of the same layout.
    hwc = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    x, y = datasets._as_tensors(SimpleNamespace(data=hwc, targets=[3, 1, 4, 1]))
    assert x.shape == (4, 3, 32, 32) and x.dtype == torch.uint8 and x.is_contiguous()
    assert torch.equal(x[2, 1], torch.from_numpy(hwc[2, :, :, 1]))
    assert y.tolist() == [3, 1, 4, 1] and y.dtype == torch.int64
