"""Tests for cnnviz.models.pretrained: offline fallback, local weights files, damaged files. No network."""

from __future__ import annotations

from pathlib import Path
from urllib.error import URLError

import pytest
import torch
import torchvision

from cnnviz.models.pretrained import IMAGENET_MODELS, MESSAGES, load_imagenet, weights_file

ARCH_TYPES = {"alexnet": torchvision.models.AlexNet, "vgg16": torchvision.models.VGG,
              "resnet18": torchvision.models.ResNet}
# Smallest convenient inputs: the adaptive pools accept them, so the heads still see 1000 outputs.
SMALL_INPUT = {"alexnet": 64, "vgg16": 32, "resnet18": 32}


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every test: a download attempt raises URLError, as it does offline, and is recorded."""
    calls: list[tuple[str, str]] = []

    def offline(url: str, dst: str, *args: object, **kwargs: object) -> None:
        calls.append((url, dst))
        raise URLError("no network in tests")

    monkeypatch.setattr(torch.hub, "download_url_to_file", offline)
    return calls


@pytest.fixture(scope="module", params=sorted(IMAGENET_MODELS))
def offline_model(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Each architecture built once for the whole module (VGG-16 alone is 138M parameters)."""
    folder = tmp_path_factory.mktemp(f"empty_{request.param}")
    return folder, load_imagenet(request.param, allow_download=False, cache_dir=folder)


def _message(p) -> str:
    return MESSAGES[p.message_key].format(**p.message_args)


def _random_state(seed: int) -> dict[str, torch.Tensor]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return torchvision.models.resnet18(weights=None).state_dict()


def test_offline_fallback_is_the_right_architecture(offline_model) -> None:
    folder, p = offline_model
    assert p.pretrained is False and p.message_key == "weights_offline"
    file = Path(IMAGENET_MODELS[p.name][1].url).name
    assert p.message_args["file"] == file and p.message_args["folder"] == str(folder)
    assert file in _message(p) and str(folder) in _message(p)
    assert "meaningless" in _message(p)
    assert isinstance(p.model, ARCH_TYPES[p.name]) and not p.model.training
    side = SMALL_INPUT[p.name]
    with torch.no_grad():
        assert p.model(torch.zeros(1, 3, side, side)).shape == (1, 1000)
    assert len(p.categories) == 1000 and p.categories[0] == "tench"
    assert (p.input_size, p.resize_size) == (224, 256)
    assert p.mean == pytest.approx((0.485, 0.456, 0.406))
    assert p.std == pytest.approx((0.229, 0.224, 0.225))
    assert not any(folder.iterdir())  # nothing was written


def test_fallback_is_seeded_and_leaves_the_global_rng_alone(tmp_path: Path) -> None:
    rng = torch.get_rng_state()
    a = load_imagenet("resnet18", allow_download=False, cache_dir=tmp_path)
    assert torch.equal(torch.get_rng_state(), rng)
    b = load_imagenet("resnet18", allow_download=False, cache_dir=tmp_path)
    for (name, x), y in zip(a.model.state_dict().items(), b.model.state_dict().values()):
        assert torch.equal(x, y), name


def test_failed_download_becomes_the_fallback(tmp_path: Path,
                                              _no_network: list[tuple[str, str]]) -> None:
    p = load_imagenet("resnet18", allow_download=True, cache_dir=tmp_path / "new")
    expected = weights_file("resnet18", tmp_path / "new")
    assert _no_network == [(IMAGENET_MODELS["resnet18"][1].url, str(expected))]
    assert p.pretrained is False and p.message_key == "weights_offline"
    assert p.message_args["folder"] == str(tmp_path / "new")
    assert not expected.exists()


def test_no_download_attempt_when_not_allowed(tmp_path: Path,
                                              _no_network: list[tuple[str, str]]) -> None:
    load_imagenet("resnet18", allow_download=False, cache_dir=tmp_path)
    assert _no_network == []


def test_local_weights_file_is_loaded(tmp_path: Path) -> None:
    trained = _random_state(seed=123)  # differs from the fallback's seed, so loading shows
    torch.save(trained, weights_file("resnet18", tmp_path))
    p = load_imagenet("resnet18", allow_download=False, cache_dir=tmp_path)
    assert p.pretrained is True and p.message_key is None and p.message_args == {}
    loaded = p.model.state_dict()
    assert loaded.keys() == trained.keys()
    for name, tensor in trained.items():
        assert torch.equal(loaded[name], tensor), name
    fallback = load_imagenet("resnet18", allow_download=False, cache_dir=tmp_path / "empty")
    assert not torch.equal(fallback.model.conv1.weight, p.model.conv1.weight)


def test_successful_download_is_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trained = _random_state(seed=7)

    def fake_download(url: str, dst: str, *args: object, **kwargs: object) -> None:
        torch.save(trained, dst)

    monkeypatch.setattr(torch.hub, "download_url_to_file", fake_download)
    p = load_imagenet("resnet18", allow_download=True, cache_dir=tmp_path / "hub")
    assert p.pretrained is True
    assert weights_file("resnet18", tmp_path / "hub").is_file()
    assert torch.equal(p.model.fc.weight, trained["fc.weight"])


@pytest.mark.parametrize("content", [
    b"", b"not a torch file at all", "truncated", "wrong_keys", "wrong_shapes",
])
def test_damaged_file_gives_weights_corrupt(tmp_path: Path, content: object) -> None:
    path = weights_file("resnet18", tmp_path)
    state = _random_state(seed=5)
    if content == "truncated":
        torch.save(state, path)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif content == "wrong_keys":
        torch.save({"conv1.weight": state["conv1.weight"]}, path)
    elif content == "wrong_shapes":
        torch.save({**state, "fc.weight": torch.zeros(10, 512)}, path)
    else:
        path.write_bytes(content)
    p = load_imagenet("resnet18", allow_download=True, cache_dir=tmp_path)
    assert p.pretrained is False and p.message_key == "weights_corrupt"
    assert p.message_args["file"] == path.name and path.name in _message(p)
    # the fallback is the clean seeded model, not a half-loaded one
    clean = load_imagenet("resnet18", allow_download=False, cache_dir=tmp_path / "empty")
    for (name, x), y in zip(p.model.state_dict().items(), clean.model.state_dict().values()):
        assert torch.equal(x, y), name


def test_default_folder_is_torch_hubs_cache(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    p = load_imagenet("resnet18", allow_download=False)
    assert p.message_args["folder"] == str(tmp_path / "hub" / "checkpoints")
    assert p.message_args["file"] == "resnet18-f37072fd.pth"


def test_unknown_name() -> None:
    with pytest.raises(KeyError, match="resnet18"):
        load_imagenet("resnet1000", allow_download=False)
