"""Tests for cnnviz.models.checkpoints: exact round trips, real safetensors files, atomic writes, and a
crafted file for every error message. The safetensors package is the reference reader/writer."""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import math
import os
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import safetensors
import safetensors.torch
import torch
from torch import nn

from cnnviz.models import checkpoints
from cnnviz.models.builders import ModelConfig, build_model
from cnnviz.models.checkpoints import (
    FORMAT,
    MESSAGES,
    CheckpointError,
    CheckpointInfo,
    checkpoint_bytes,
    list_checkpoints,
    load_checkpoint,
    read_info,
    save_checkpoint,
)
from tests.helpers import LENET

CONFIGS = {
    "lenet5": LENET,
    "tinyvgg_bn": ModelConfig("tinyvgg", (3, 32, 32), batchnorm=True),
    "resnet_bn": ModelConfig("resnet", (3, 16, 16), num_classes=3, batchnorm=True, depth=1,
                             width=4),
}
BN_STEPS = 3  # train-mode forward passes: BatchNorm running stats and counters move off their init


def _info(cfg: ModelConfig, **changes) -> CheckpointInfo:
    c = cfg.in_shape[0]
    info = CheckpointInfo(
        config=cfg, dataset="digits", classes=tuple(f"class {i}" for i in range(cfg.num_classes)),
        in_shape=cfg.in_shape, mean=tuple(0.1 * (i + 1) for i in range(c)), std=(0.3,) * c,
        metrics={"val_acc": 0.75, "val_loss": 0.625},
        history=[{"epoch": 1, "train_loss": 1.5, "val_acc": 0.5, "seconds": 2.25},
                 {"epoch": 2, "train_loss": 0.875, "val_acc": 0.75, "seconds": 2.0}],
        train={"epochs": 2, "lr": 0.01, "augment": ["flip"], "optimizer": {"name": "sgd"}},
        note="pytest",
    )
    return dataclasses.replace(info, **changes)


def _model(cfg: ModelConfig, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    model = build_model(cfg).train()
    with torch.no_grad():
        for _ in range(BN_STEPS):
            model(torch.randn(4, *cfg.in_shape))
    return model.eval()


def _state(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _plain_save(tensors: dict[str, torch.Tensor], info_json: str | None = None,
                fmt: str = FORMAT) -> bytes:
    """A file written by the safetensors package itself, with our metadata (or none)."""
    meta = None if info_json is None else {"format": fmt, "cnnviz": info_json}
    return safetensors.torch.save(tensors, metadata=meta)


def _header(data: bytes) -> tuple[int, dict]:
    n = int.from_bytes(data[:8], "little")
    return n, json.loads(data[8:8 + n])


def _raises(key: str, fn: Callable, *args, **kw) -> CheckpointError:
    with pytest.raises(CheckpointError) as caught:
        fn(*args, **kw)
    err = caught.value
    assert err.key == key, (err.key, err.args_)
    text = MESSAGES[key].format(**err.args_)  # every template formats with the args it is given
    assert "{" not in text and text.strip()
    return err


@pytest.fixture(scope="module")
def lenet() -> tuple[nn.Module, CheckpointInfo, bytes]:
    model = _model(LENET)
    info = _info(LENET)
    return model, info, checkpoint_bytes(model, info)


# --- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_round_trip_is_exact(name: str, tmp_path: Path) -> None:
    cfg = CONFIGS[name]
    model, info = _model(cfg), _info(cfg)
    path = save_checkpoint(tmp_path / f"{name}.safetensors", model, info)
    loaded, loaded_info = load_checkpoint(path)

    assert loaded_info == info
    assert not loaded.training
    before, after = model.state_dict(), loaded.state_dict()
    assert list(after) == list(before)
    for key, tensor in before.items():
        assert after[key].dtype == tensor.dtype, key
        assert torch.equal(after[key], tensor), key
    if cfg.batchnorm:  # the buffers really were trained, so their equality means something
        counters = [v for k, v in before.items() if k.endswith("num_batches_tracked")]
        assert counters and all(int(c) == BN_STEPS for c in counters)
        means = [v for k, v in before.items() if k.endswith("running_mean")]
        assert all(m.abs().sum() > 0 for m in means)
    x = torch.randn(3, *cfg.in_shape, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert torch.equal(loaded(x), model(x))
    fresh = build_model(cfg).eval()  # and a model with other weights really does differ
    with torch.no_grad():
        assert not torch.equal(fresh(x), model(x))


def test_bytes_equal_the_file_and_are_deterministic(lenet, tmp_path: Path) -> None:
    model, info, data = lenet
    path = save_checkpoint(tmp_path / "m.safetensors", model, info)
    assert path.read_bytes() == data == checkpoint_bytes(model, info)
    loaded, loaded_info = load_checkpoint(data)
    assert loaded_info == info
    assert all(torch.equal(loaded.state_dict()[k], v) for k, v in model.state_dict().items())


def test_file_is_a_real_safetensors_file(lenet, tmp_path: Path) -> None:
    model, info, _ = lenet
    path = save_checkpoint(tmp_path / "m.safetensors", model, info)
    with safetensors.safe_open(str(path), framework="pt") as f:
        meta = f.metadata()
        assert set(meta) == {"format", "cnnviz"}
        assert meta["format"] == FORMAT
        assert json.loads(meta["cnnviz"])["config"] == LENET.to_dict()
        assert sorted(f.keys()) == sorted(model.state_dict())
        for key, tensor in model.state_dict().items():
            assert torch.equal(f.get_tensor(key), tensor), key
    # Layout as safetensors itself writes it: header padded to 8 bytes, tensors aligned.
    n, header = _header(path.read_bytes())
    assert n % 8 == 0
    for key, entry in header.items():
        if key != "__metadata__":
            size = model.state_dict()[key].element_size()
            assert entry["data_offsets"][0] % size == 0, key


def test_files_from_the_safetensors_writer_load(lenet) -> None:
    model, info, _ = lenet
    data = _plain_save(_state(model), info.to_json())
    loaded, loaded_info = load_checkpoint(data)
    assert loaded_info == info == read_info(data)
    assert all(torch.equal(loaded.state_dict()[k], v) for k, v in model.state_dict().items())


def test_half_precision_weights_load_as_float32(lenet) -> None:
    model, info, _ = lenet
    half = {k: v.half() if v.is_floating_point() else v for k, v in _state(model).items()}
    loaded, _ = load_checkpoint(_plain_save(half, info.to_json()))
    weight = loaded.state_dict()["conv1.weight"]
    assert weight.dtype == torch.float32
    assert torch.equal(weight, half["conv1.weight"].float())


def test_strided_and_shared_tensors_are_saved_contiguously() -> None:
    cfg = CONFIGS["tinyvgg_bn"]
    model = _model(cfg).to(memory_format=torch.channels_last)
    weight = model.state_dict()["conv1_1.weight"]
    assert not weight.is_contiguous()  # the case under test is real
    loaded, _ = load_checkpoint(checkpoint_bytes(model, _info(cfg)))
    assert all(torch.equal(loaded.state_dict()[k], v) for k, v in model.state_dict().items())


def test_compiled_wrapper_saves_the_plain_names(lenet) -> None:
    model, info, data = lenet

    class Wrapper(nn.Module):  # what torch.compile returns: the model under ``_orig_mod``
        def __init__(self) -> None:
            super().__init__()
            self._orig_mod = model

    assert next(iter(Wrapper().state_dict())).startswith("_orig_mod.")
    assert checkpoint_bytes(Wrapper(), info) == data


def test_device_argument_is_used(lenet) -> None:
    _, _, data = lenet
    model, _ = load_checkpoint(data, device=torch.device("meta"))  # a device with no data
    assert all(p.is_meta for p in model.parameters())
    model, _ = load_checkpoint(data, device="cpu")
    assert all(p.device.type == "cpu" for p in model.parameters())


# --- header only -----------------------------------------------------------------------------------


def test_read_info_reads_no_tensor(lenet, tmp_path: Path, monkeypatch) -> None:
    model, info, data = lenet
    state = _state(model)
    state["fc.weight"][0, 0] = float("nan")  # read_info looks at the header only
    path = tmp_path / "nan.safetensors"
    path.write_bytes(_plain_save(state, info.to_json()))

    def refuse(*args, **kw):
        raise AssertionError("read_info decoded tensors")

    for name in ("load", "load_file", "safe_open"):
        monkeypatch.setattr(safetensors.torch, name, refuse, raising=False)
    monkeypatch.setattr(safetensors, "safe_open", refuse)
    assert read_info(path) == info
    assert read_info(data) == info
    assert read_info(bytearray(data)) == info
    monkeypatch.undo()
    _raises("ckpt_nonfinite", load_checkpoint, path)


def test_save_creates_the_folder(lenet, tmp_path: Path) -> None:
    model, info, data = lenet
    path = save_checkpoint(str(tmp_path / "a" / "b" / "m.safetensors"), model, info)
    assert path == tmp_path / "a" / "b" / "m.safetensors"
    assert path.read_bytes() == data


# --- atomic writes ---------------------------------------------------------------------------------


def _fail_replace(monkeypatch) -> None:
    def boom(*args):
        raise OSError("simulated crash before the rename")
    monkeypatch.setattr(os, "replace", boom)


def _fail_fsync(monkeypatch) -> None:
    def boom(*args):
        raise OSError("simulated I/O error")
    monkeypatch.setattr(os, "fsync", boom)


def _fail_mid_write(monkeypatch) -> None:
    real_fdopen = os.fdopen

    class HalfWriter(io.RawIOBase):
        def __init__(self, f) -> None:
            self.f = f

        def write(self, data) -> int:
            self.f.write(bytes(data[: len(data) // 2]))
            self.f.flush()
            raise OSError(28, "No space left on device")

        def fileno(self) -> int:
            return self.f.fileno()

        def close(self) -> None:
            self.f.close()
            super().close()

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))


@pytest.mark.parametrize("fail", [_fail_replace, _fail_fsync, _fail_mid_write],
                         ids=["replace", "fsync", "mid_write"])
def test_failed_save_keeps_the_old_file(lenet, tmp_path: Path, monkeypatch, fail) -> None:
    model, info, old = lenet
    path = save_checkpoint(tmp_path / "m.safetensors", model, info)
    newer = _model(LENET, seed=1)
    fail(monkeypatch)
    with pytest.raises(OSError):
        save_checkpoint(path, newer, info)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors"]  # no temp file left
    save_checkpoint(path, newer, info)  # and once the fault is gone, the save goes through
    assert path.read_bytes() == checkpoint_bytes(newer, info) != old


def test_save_refuses_a_model_that_would_not_load(lenet, tmp_path: Path) -> None:
    model, info, _ = lenet
    path = tmp_path / "m.safetensors"
    _raises("ckpt_missing", save_checkpoint, path, model, _info(CONFIGS["tinyvgg_bn"]))
    broken = _model(LENET)
    with torch.no_grad():
        broken.fc1.weight[0, 0] = float("inf")
    err = _raises("ckpt_nonfinite", save_checkpoint, path, broken, info)
    assert err.args_ == {"name": "fc1.weight", "count": 1}
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temp file


# --- every error, from a crafted file -------------------------------------------------------------


def _edit_info(info: CheckpointInfo, edit: Callable[[dict], None]) -> str:
    data = json.loads(info.to_json())
    edit(data)
    return json.dumps(data)


def _shape_8x8(data: dict) -> None:
    data["in_shape"] = data["config"]["in_shape"] = [1, 8, 8]


def _without(name: str) -> Callable[[dict], dict]:
    return lambda s: {k: v for k, v in s.items() if k != name}


def _with(name: str, value: Callable[[dict], torch.Tensor]) -> Callable[[dict], dict]:
    return lambda s: {**s, name: value(s)}


def _nan_at(s: dict, name: str, count: int) -> torch.Tensor:
    t = s[name].clone()
    t.view(-1)[:count] = torch.tensor([float("nan"), float("inf"), -float("inf")])[:count]
    return t


@functools.cache
def _trained_state(cfg: ModelConfig) -> dict[str, torch.Tensor]:
    return _state(_model(cfg))


def _tensors(cfg: ModelConfig, change: Callable[[dict], dict] = lambda s: s) -> dict:
    """A fresh copy of a trained model's tensors, changed by ``change``."""
    return change({k: v.clone() for k, v in _trained_state(cfg).items()})


def _file(cfg: ModelConfig, info_json: str | None, change: Callable[[dict], dict] = lambda s: s,
          fmt: str = FORMAT) -> bytes:
    return _plain_save(_tensors(cfg, change), info_json, fmt)


LENET_JSON = _info(LENET).to_json()
TINYVGG = CONFIGS["tinyvgg_bn"]
RGB_LENET = ModelConfig("lenet5", (3, 28, 28))
# name -> (file bytes, expected key, expected args or None)
CASES: dict[str, tuple[Callable[[], bytes], str, dict | None]] = {
    "empty": (lambda: b"", "ckpt_not_safetensors", {}),
    "random": (lambda: np.random.default_rng(0).bytes(4096), "ckpt_not_safetensors", {}),
    "huge_header_length": (lambda: b"\xff" * 8 + b"{}", "ckpt_not_safetensors", {}),
    "garbage_header": (lambda: (16).to_bytes(8, "little") + b"{" * 16 + bytes(64),
                       "ckpt_not_safetensors", {}),
    "deep_json": (lambda: (4000).to_bytes(8, "little") + b"{\"a\":" + b"[" * 3995,
                  "ckpt_not_safetensors", {}),
    "trailing_byte": (lambda: _file(LENET, LENET_JSON) + b"\0", "ckpt_not_safetensors", {}),
    "pickle": (lambda: _torch_save(_tensors(LENET)), "ckpt_not_safetensors", {}),
    "no_metadata": (lambda: _file(LENET, None), "ckpt_no_metadata", {}),
    "foreign_metadata": (lambda: safetensors.torch.save(_tensors(LENET), {"format": "pt"}),
                         "ckpt_no_metadata", {}),
    "broken_json": (lambda: _file(LENET, "{\"config\": "), "ckpt_bad_metadata", None),
    "not_an_object": (lambda: _file(LENET, "[1, 2]"), "ckpt_bad_metadata", None),
    "missing_field": (lambda: _file(LENET, _edit_info(_info(LENET), lambda d: d.pop("classes"))),
                      "ckpt_bad_metadata", {"reason": "missing fields ['classes']"}),
    "unknown_field": (lambda: _file(LENET, _edit_info(_info(LENET), lambda d: d.update(x=1))),
                      "ckpt_bad_metadata", {"reason": "unknown fields ['x']"}),
    "wrong_type": (lambda: _file(LENET, _edit_info(_info(LENET),
                                                   lambda d: d.update(classes="0123456789"))),
                   "ckpt_bad_metadata", {"reason": "classes must be a list"}),
    "unknown_arch": (lambda: _file(LENET, _edit_info(
        _info(LENET), lambda d: d["config"].update(arch="alexnet"))), "ckpt_bad_metadata", None),
    "too_few_classes": (lambda: _file(LENET, _edit_info(
        _info(LENET), lambda d: d.update(classes=["a", "b"]))), "ckpt_bad_metadata",
        {"reason": "2 class names for a model with 10 outputs"}),
    "input_too_small": (lambda: _file(LENET, _edit_info(_info(LENET), _shape_8x8)),
                        "ckpt_bad_metadata",
                        {"reason": "lenet5 needs inputs of at least 12x12, not (8, 8)"}),
    "other_format": (lambda: _file(LENET, LENET_JSON, fmt="cnnviz-checkpoint/99"),
                     "ckpt_bad_metadata", None),
    "rgb_description": (lambda: _file(LENET, _info(RGB_LENET).to_json()), "ckpt_shape",
                        {"name": "conv1.weight", "expected": "[6, 3, 5, 5]",
                         "found": "[6, 1, 5, 5]"}),
    "missing_tensor": (lambda: _file(LENET, LENET_JSON, _without("fc.bias")), "ckpt_missing",
                       {"names": "fc.bias", "count": 1}),
    "other_architecture": (lambda: _file(LENET, _info(TINYVGG).to_json()), "ckpt_missing",
                           {"names": "conv1_1.weight, bn1_1.weight, bn1_1.bias, "
                                     "bn1_1.running_mean, bn1_1.running_var, …", "count": 24}),
    "extra_tensor": (lambda: _file(LENET, LENET_JSON, _with("extra.weight",
                                                             lambda s: torch.zeros(2))),
                     "ckpt_unexpected", {"names": "extra.weight", "count": 1}),
    "int_weight": (lambda: _file(LENET, LENET_JSON, _with(
        "conv2.weight", lambda s: s["conv2.weight"].to(torch.int32))), "ckpt_dtype",
        {"name": "conv2.weight", "expected": "F32", "found": "I32"}),
    "float_counter": (lambda: _file(TINYVGG, _info(TINYVGG).to_json(), _with(
        "bn2_1.num_batches_tracked", lambda s: s["bn2_1.num_batches_tracked"].float())),
        "ckpt_dtype", {"name": "bn2_1.num_batches_tracked", "expected": "I64", "found": "F32"}),
    "nan_weight": (lambda: _file(LENET, LENET_JSON, _with(
        "conv2.weight", lambda s: _nan_at(s, "conv2.weight", 1))), "ckpt_nonfinite",
        {"name": "conv2.weight", "count": 1}),
    "inf_bias": (lambda: _file(LENET, LENET_JSON, _with(
        "fc.bias", lambda s: _nan_at(s, "fc.bias", 3))), "ckpt_nonfinite",
        {"name": "fc.bias", "count": 3}),
}
HEADER_KEYS = {"ckpt_not_safetensors", "ckpt_no_metadata", "ckpt_bad_metadata"}


def _torch_save(obj: object) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def test_every_message_has_a_crafted_file() -> None:
    assert {key for _, key, _ in CASES.values()} | {"ckpt_too_large"} == set(MESSAGES)
    assert all(key.startswith("ckpt_") for key in MESSAGES)


@pytest.mark.parametrize("as_path", [False, True], ids=["bytes", "path"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_crafted_file_raises(case: str, as_path: bool, tmp_path: Path) -> None:
    make, key, args = CASES[case]
    data = make()
    source = data
    if as_path:
        source = tmp_path / "bad.safetensors"
        source.write_bytes(data)
    err = _raises(key, load_checkpoint, source)
    if args is not None:
        assert err.args_ == args
    if key == "ckpt_bad_metadata":
        assert err.args_["reason"]
    if key in HEADER_KEYS:  # the header alone tells, so the cheap reader says the same
        assert _raises(key, read_info, source).args_ == err.args_
    else:  # the header is fine: only comparing it with the tensors finds the problem
        assert isinstance(read_info(source), CheckpointInfo)


def test_crafted_metadata_without_the_edit_loads() -> None:
    # The crafting helpers make good files when nothing is edited, so each error above is the edit.
    for cfg in (LENET, TINYVGG):
        model, info = load_checkpoint(_file(cfg, _info(cfg).to_json()))
        assert info == _info(cfg)
        assert model.state_dict().keys() == _tensors(cfg).keys()


# where to cut the file, from the header length n and the file length end
CUTS = {"4": lambda n, end: 4, "8": lambda n, end: 8, "mid_header": lambda n, end: 8 + n // 2,
        "header-1": lambda n, end: 8 + n - 1, "header_only": lambda n, end: 8 + n,
        "half": lambda n, end: end // 2, "end-1": lambda n, end: end - 1}


@pytest.mark.parametrize("cut", sorted(CUTS))
def test_truncated_files_are_refused(lenet, cut: str, tmp_path: Path) -> None:
    _, _, data = lenet
    at = CUTS[cut](int.from_bytes(data[:8], "little"), len(data))
    assert 0 < at < len(data)
    path = tmp_path / "cut.safetensors"
    path.write_bytes(data[:at])
    _raises("ckpt_not_safetensors", load_checkpoint, data[:at])
    _raises("ckpt_not_safetensors", load_checkpoint, path)
    _raises("ckpt_not_safetensors", read_info, path)


def test_too_large(lenet, tmp_path: Path) -> None:
    _, info, data = lenet
    path = tmp_path / "m.safetensors"
    path.write_bytes(data)
    for source in (data, path):
        err = _raises("ckpt_too_large", load_checkpoint, source, max_bytes=len(data) - 1)
        assert err.args_ == {"size_mb": len(data) / 1e6, "limit_mb": (len(data) - 1) / 1e6}
        assert load_checkpoint(source, max_bytes=len(data))[1] == info
    assert checkpoints.MAX_BYTES == 200_000_000


def test_pickle_payload_is_never_unpickled(tmp_path: Path) -> None:
    marker = tmp_path / "unpickled"

    class Payload:
        def __reduce__(self):
            return os.mkdir, (str(marker),)

    payload = pickle.dumps(Payload())
    path = tmp_path / "evil.safetensors"
    path.write_bytes(payload)
    _raises("ckpt_not_safetensors", load_checkpoint, path)
    _raises("ckpt_not_safetensors", load_checkpoint, payload)
    _raises("ckpt_not_safetensors", read_info, path)
    assert list_checkpoints(tmp_path) == []
    assert not marker.exists()
    pickle.loads(payload)  # the payload is live: unpickling it is exactly what must not happen
    assert marker.is_dir()


# --- listing -----------------------------------------------------------------------------------------


def test_list_checkpoints_skips_what_does_not_read(lenet, tmp_path: Path) -> None:
    model, info, data = lenet
    resnet_cfg = CONFIGS["resnet_bn"]
    save_checkpoint(tmp_path / "b.safetensors", model, info)
    save_checkpoint(tmp_path / "a.safetensors", _model(resnet_cfg), _info(resnet_cfg))
    (tmp_path / "c.safetensors").write_bytes(data[: len(data) - 10])
    (tmp_path / "d.safetensors").write_bytes(_file(LENET, None))
    (tmp_path / "e.safetensors").write_bytes(b"")
    (tmp_path / "f.txt").write_bytes(data)
    (tmp_path / "g.safetensors").mkdir()
    (tmp_path / ".h.safetensors.x1y2.tmp").write_bytes(data)
    listed = list_checkpoints(tmp_path)
    assert [p.name for p, _ in listed] == ["a.safetensors", "b.safetensors"]
    assert [i for _, i in listed] == [_info(resnet_cfg), info]
    assert list_checkpoints(str(tmp_path / "nowhere")) == []


# --- CheckpointInfo ------------------------------------------------------------------------------


def test_info_json_round_trip() -> None:
    info = _info(CONFIGS["tinyvgg_bn"])
    text = info.to_json()
    assert CheckpointInfo.from_json(text) == info
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert data["config"] == CONFIGS["tinyvgg_bn"].to_dict()
    data["mean"] = [0, 1, 1]  # JSON may write whole numbers without ".0"
    back = CheckpointInfo.from_json(json.dumps(data))
    assert back.mean == (0.0, 1.0, 1.0) and all(type(v) is float for v in back.mean)


def test_info_keeps_nan_metrics() -> None:
    info = _info(LENET, metrics={"val_loss": float("nan")})
    assert math.isnan(CheckpointInfo.from_json(info.to_json()).metrics["val_loss"])


@pytest.mark.parametrize("changes", [
    {"classes": ("a",) * 9},
    {"classes": ["a"] * 10},
    {"classes": (1,) * 10},
    {"in_shape": (1, 32, 32)},
    {"in_shape": [1, 28, 28]},
    {"mean": (0.1, 0.2)},
    {"mean": (float("nan"),)},
    {"std": (0.0,)},
    {"std": (True,)},
    {"metrics": {"val_acc": True}},
    {"metrics": {1: 0.5}},
    {"history": ({"epoch": 1},)},
    {"history": [{"epoch": "one"}]},
    {"train": {"size": (28, 28)}},
    {"train": {"fn": print}},
    {"note": None},
    {"dataset": 3},
    {"config": LENET.to_dict()},
], ids=lambda c: "-".join(f"{k}={v!r}" for k, v in c.items())[:40])
def test_info_validates(changes: dict) -> None:
    with pytest.raises(ValueError):
        _info(LENET, **changes)


@pytest.mark.parametrize("text", ["", "{", "null", "[]", '{"config": {}}', "\"x\""])
def test_info_from_bad_json(text: str) -> None:
    err = _raises("ckpt_bad_metadata", CheckpointInfo.from_json, text)
    assert isinstance(err, ValueError) and err.args_["reason"]


# --- sizes a file can ask for -------------------------------------------------------------------


def _claiming(cfg: ModelConfig, in_shape: tuple[int, int, int]) -> bytes:
    """A valid file whose header claims another input size: ResNet weights do not depend on it."""
    meta = json.loads(_info(cfg).to_json())
    meta["in_shape"] = list(in_shape)
    meta["config"]["in_shape"] = list(in_shape)
    return _plain_save(_state(_model(cfg)), json.dumps(meta))


@pytest.mark.parametrize("in_shape", [(3, 20000, 20000), (3, 8192, 8192), (3, 257, 16), (4, 16, 16),
                                      (3000, 16, 16)])
def test_a_small_file_cannot_claim_a_huge_input(in_shape: tuple[int, int, int]) -> None:
    cfg = CONFIGS["resnet_bn"]
    data = _claiming(cfg, in_shape)
    assert len(data) < 20_000
    with pytest.raises(CheckpointError) as err:
        load_checkpoint(data)
    assert err.value.key == "ckpt_bad_metadata" and "in_shape" in err.value.args_["reason"]
    assert load_checkpoint(_claiming(cfg, (3, 256, 256)))[1].in_shape == (3, 256, 256)  # the limit


def test_a_model_too_costly_to_serve_is_refused_before_it_is_built(monkeypatch) -> None:
    from cnnviz.explain import budget

    cfg = ModelConfig("vgg", (3, 256, 256), depth=1, width=512)  # 2.4M weights, 309 GFLOP a picture
    data = checkpoint_bytes(build_model(cfg), _info(cfg))
    built = []  # models built with real memory (not on the meta device)

    def recording_build(c: ModelConfig) -> nn.Module:
        model = build_model(c)
        if not next(model.parameters()).is_meta:
            built.append(c)
        return model

    monkeypatch.setattr(checkpoints, "build_model", recording_build)
    with pytest.raises(CheckpointError) as err:
        load_checkpoint(data)
    assert err.value.key == "budget_too_costly" and built == []
    load_checkpoint(checkpoint_bytes(_model(LENET), _info(LENET)))
    assert built == [LENET]  # the recorder does see real builds
    cost = budget.estimate(cfg)
    by_hand = 2 * 256 * 256 * 512 * (3 * 9 + 512 * 9)  # two 3x3 convs, a multiply-add is 2 FLOPs
    assert by_hand <= cost.flops <= by_hand * 1.01 and not cost.fits
    assert budget.estimate(LENET).fits and budget.estimate(LENET).params == 61_706


def test_class_and_dataset_names_are_bounded() -> None:
    for change in ({"classes": ("x" * 81,) + tuple(f"c{i}" for i in range(9))},
                   {"dataset": "d" * 81}, {"note": "n" * 501}):
        with pytest.raises(ValueError):
            _info(LENET, **change)
