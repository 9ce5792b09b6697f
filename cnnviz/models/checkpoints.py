"""Checkpoints: one ``.safetensors`` file per model, its description as JSON in the file header.

Saving is atomic and byte-for-byte deterministic. Loading never unpickles anything: it reads the
header first (bounded), rebuilds the architecture the header names, and checks tensor names,
shapes, dtypes and finiteness, saying what does not match. Knows nothing about training or the UI.
"""

from __future__ import annotations

import io
import json
import math
import os
import sys
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, BinaryIO

import safetensors.torch
import torch
from torch import nn

from cnnviz.errors import CnnvizError, register
from cnnviz.explain.budget import check_servable
from cnnviz.fileio import write_atomic
from cnnviz.models.builders import ModelConfig, build_model, min_input_side

__all__ = [
    "FORMAT",
    "MAX_BYTES",
    "MESSAGES",
    "SUFFIX",
    "CheckpointError",
    "CheckpointInfo",
    "checkpoint_bytes",
    "list_checkpoints",
    "load_checkpoint",
    "read_info",
    "save_checkpoint",
]

FORMAT = "cnnviz-checkpoint/1"
SUFFIX = ".safetensors"
MAX_BYTES = 200_000_000
# Our headers are a few KB; the cap bounds what a garbage length field can make us read.
MAX_HEADER_BYTES = 16 * 2**20
MAX_NAMES_SHOWN = 5
MAX_NAME_CHARS = 80  # a class or dataset name is a label on a page, not a text
MAX_NOTE_CHARS = 500

MESSAGES = register({
    "ckpt_not_safetensors": (
        "This file is not a usable model checkpoint: it is not a .safetensors file, or it is "
        "empty, damaged or incomplete (cut off while saving or downloading). Save or download "
        "the model again."),
    "ckpt_no_metadata": (
        "This .safetensors file was not saved by this app: its header does not say which network "
        "the weights belong to, so the model cannot be rebuilt. Use a checkpoint saved by cnnviz."),
    "ckpt_bad_metadata": (
        "The checkpoint's description of its model is unreadable or inconsistent ({reason}). "
        "The file was edited or made by another version of the app; save the model again."),
    "ckpt_missing": (
        "The checkpoint lacks weight tensors that its model needs ({count} in all, e.g. {names}). The "
        "weights belong to a different network than the file describes; use the unchanged file."),
    "ckpt_unexpected": (
        "The checkpoint holds tensors that its model does not have ({count} in all, e.g. {names}). The "
        "weights belong to a different network than the file describes; use the unchanged file."),
    "ckpt_shape": (
        "The weights {name} have shape {found}, but the model described in the checkpoint needs "
        "{expected} (for example, weights for 1-channel grey images do not fit a network for "
        "3-channel colour images). The weights and their description do not belong together."),
    "ckpt_dtype": (
        "The tensor {name} is stored as {found}, but the model needs {expected} (F: floating "
        "point, I/U: integer, BOOL: true/false). The file was edited or made by another program."),
    "ckpt_too_large": (
        "The file is {size_mb:.1f} MB; the limit is {limit_mb:.0f} MB. The models of this app "
        "are much smaller: is this the right file?"),
    "ckpt_nonfinite": (
        "The weights {name} contain invalid numbers (NaN or infinity, {count} in all): training "
        "diverged before the model was saved (try a smaller learning rate), or the file is "
        "damaged."),
})

# safetensors dtype codes: bytes per item, and the codes torch dtypes are written as.
_ITEMSIZE = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "U16": 2, "I16": 2,
             "F16": 2, "BF16": 2, "U32": 4, "I32": 4, "F32": 4, "U64": 8, "I64": 8, "F64": 8}
_LABELS = {torch.bool: "BOOL", torch.uint8: "U8", torch.int8: "I8", torch.int16: "I16",
           torch.int32: "I32", torch.int64: "I64", torch.float16: "F16", torch.bfloat16: "BF16",
           torch.float32: "F32", torch.float64: "F64", torch.uint16: "U16", torch.uint32: "U32",
           torch.uint64: "U64"}
_FLOATS = {"F16", "BF16", "F32", "F64"}
_INTS = {"U8", "I8", "U16", "I16", "U32", "I32", "U64", "I64"}

Specs = dict[str, tuple[str, tuple[int, ...]]]  # tensor name -> (dtype code, shape)


class CheckpointError(CnnvizError):
    """A checkpoint that cannot be read or does not fit its model; ``key``/``args_`` translate."""


# ---------------------------------------------------------------------------------------------
# The description stored in the header


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_number_dict(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and _is_number(v) for k, v in value.items())


def _is_plain_json(value: Any) -> bool:
    """True if ``value`` survives a JSON round trip unchanged (no tuples, no non-str keys)."""
    try:
        return json.loads(json.dumps(value, allow_nan=False)) == value
    except (TypeError, ValueError):
        return False


def _require(ok: bool, reason: str) -> None:
    if not ok:
        raise ValueError(reason)


@dataclass(frozen=True)
class CheckpointInfo:
    """What a checkpoint says about its model; validated on construction (ValueError).

    ``mean``/``std`` are per input channel on the 0..1 scale; ``metrics`` and ``history`` hold
    numbers (NaN allowed: a diverged run is information); ``train`` is free-form plain JSON.
    """

    config: ModelConfig
    dataset: str
    classes: tuple[str, ...]
    in_shape: tuple[int, int, int]  # (C, H, W), the same as config.in_shape
    mean: tuple[float, ...]
    std: tuple[float, ...]
    metrics: dict[str, float] = field(default_factory=dict)
    history: list[dict[str, float | int]] = field(default_factory=list)
    train: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    def __post_init__(self) -> None:
        cfg = self.config
        _require(isinstance(cfg, ModelConfig), "config must be a ModelConfig")
        _require(isinstance(self.dataset, str), "dataset must be a string")
        _require(isinstance(self.dataset, str) and len(self.dataset) <= MAX_NAME_CHARS,
                 f"the dataset name must be at most {MAX_NAME_CHARS} characters")
        _require(isinstance(self.classes, tuple)
                 and all(isinstance(c, str) and len(c) <= MAX_NAME_CHARS for c in self.classes),
                 f"class names must be strings of at most {MAX_NAME_CHARS} characters")
        _require(len(self.classes) == cfg.num_classes,
                 f"{len(self.classes)} class names for a model with {cfg.num_classes} outputs")
        _require(self.in_shape == cfg.in_shape,
                 f"in_shape {self.in_shape} differs from the model's {cfg.in_shape}")
        side = min_input_side(cfg)
        _require(min(cfg.in_shape[1:]) >= side,
                 f"{cfg.arch} needs inputs of at least {side}x{side}, not {cfg.in_shape[1:]}")
        for name in ("mean", "std"):
            values = getattr(self, name)
            _require(isinstance(values, tuple) and all(
                _is_number(v) and math.isfinite(v) for v in values), f"{name} must be numbers")
            _require(len(values) == cfg.in_shape[0],
                     f"{len(values)} {name} values for {cfg.in_shape[0]} input channel(s)")
        _require(all(v > 0 for v in self.std), "std values must be positive")
        _require(_is_number_dict(self.metrics), "metrics must map names to numbers")
        _require(isinstance(self.history, list) and all(_is_number_dict(r) for r in self.history),
                 "history must be a list of records mapping names to numbers")
        _require(isinstance(self.train, dict) and _is_plain_json(self.train),
                 "train must be a plain JSON object (string keys, lists rather than tuples)")
        _require(isinstance(self.note, str) and len(self.note) <= MAX_NOTE_CHARS,
                 f"the note must be a string of at most {MAX_NOTE_CHARS} characters")

    def to_json(self) -> str:
        """One JSON document, keys sorted so the same info always gives the same text."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(config=self.config.to_dict(), classes=list(self.classes),
                    in_shape=list(self.in_shape), mean=list(self.mean), std=list(self.std))
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> CheckpointInfo:
        """Inverse of ``to_json``; anything malformed raises CheckpointError("ckpt_bad_metadata")."""
        try:
            data = json.loads(text)
        except (TypeError, ValueError, RecursionError) as exc:
            raise CheckpointError("ckpt_bad_metadata", reason=f"not valid JSON: {exc}") from exc
        try:
            return cls._from_dict(data)
        except (TypeError, ValueError) as exc:
            raise CheckpointError("ckpt_bad_metadata", reason=str(exc)) from exc

    @classmethod
    def _from_dict(cls, data: Any) -> CheckpointInfo:
        _require(isinstance(data, dict), "the description is not a JSON object")
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - set(names))
        _require(not unknown, f"unknown fields {unknown}")
        missing = [f.name for f in fields(cls) if f.name not in data
                   and f.default is MISSING and f.default_factory is MISSING]
        _require(not missing, f"missing fields {missing}")
        _require(isinstance(data["config"], dict), "config must be a JSON object")
        values = dict(data, config=ModelConfig.from_dict(data["config"]))
        for name in ("classes", "in_shape", "mean", "std"):
            _require(isinstance(values[name], list), f"{name} must be a list")
            values[name] = tuple(values[name])
        for name in ("mean", "std"):  # JSON may write 1.0 as 1
            values[name] = tuple(float(v) if _is_number(v) else v for v in values[name])
        return cls(**values)


# ---------------------------------------------------------------------------------------------
# The safetensors layout: 8-byte little-endian header length N, N bytes of JSON, tensor bytes


def _check_entry(entry: Any) -> tuple[str, tuple[int, ...], tuple[int, int]]:
    """One tensor's header entry as (dtype code, shape, (begin, end)); malformed raises."""
    bad = CheckpointError("ckpt_not_safetensors")
    if not isinstance(entry, dict):
        raise bad
    dtype, shape, span = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if not (isinstance(dtype, str) and isinstance(shape, list)
            and all(_is_int(d) and d >= 0 for d in shape) and isinstance(span, list)
            and len(span) == 2 and all(_is_int(o) for o in span) and 0 <= span[0] <= span[1]):
        raise bad
    size = _ITEMSIZE.get(dtype)
    if size is not None and span[1] - span[0] != math.prod(shape) * size:
        raise bad
    return dtype, tuple(shape), (span[0], span[1])


def _parse_layout(header: dict[str, Any], data_len: int) -> tuple[dict[str, str], Specs]:
    """Metadata and tensor specs; the tensors must tile the data section exactly, no gaps."""
    meta = header.get("__metadata__", {})
    if not (isinstance(meta, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items())):
        raise CheckpointError("ckpt_not_safetensors")
    specs: Specs = {}
    spans = []
    for name, entry in header.items():
        if name != "__metadata__":
            dtype, shape, span = _check_entry(entry)
            specs[name] = (dtype, shape)
            spans.append(span)
    end = 0
    for begin, stop in sorted(spans):
        if begin != end:
            raise CheckpointError("ckpt_not_safetensors")
        end = stop
    if end != data_len:  # a truncated file, or trailing bytes
        raise CheckpointError("ckpt_not_safetensors")
    return meta, specs


def _read_header(f: BinaryIO, size: int) -> tuple[dict[str, str], Specs]:
    """Parse the header of a ``size``-byte file without reading any tensor data."""
    prefix = f.read(8)
    n = int.from_bytes(prefix, "little")
    if len(prefix) < 8 or not 2 <= n <= min(MAX_HEADER_BYTES, size - 8):
        raise CheckpointError("ckpt_not_safetensors")
    raw = f.read(n)
    if len(raw) != n or not raw.startswith(b"{"):
        raise CheckpointError("ckpt_not_safetensors")
    try:
        header = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise CheckpointError("ckpt_not_safetensors") from exc
    if not isinstance(header, dict):
        raise CheckpointError("ckpt_not_safetensors")
    return _parse_layout(header, size - 8 - n)


def _header_of(source: str | Path | bytes) -> tuple[dict[str, str], Specs]:
    if isinstance(source, (bytes, bytearray)):
        return _read_header(io.BytesIO(source), len(source))
    with open(source, "rb") as f:
        return _read_header(f, os.fstat(f.fileno()).st_size)


def _info_from_meta(meta: dict[str, str]) -> CheckpointInfo:
    if "cnnviz" not in meta:
        raise CheckpointError("ckpt_no_metadata")
    if meta.get("format") != FORMAT:
        raise CheckpointError("ckpt_bad_metadata",
                              reason=f"format {meta.get('format')!r} instead of {FORMAT!r}")
    return CheckpointInfo.from_json(meta["cnnviz"])


def _raw_bytes(t: torch.Tensor) -> bytes:
    """A contiguous CPU tensor's bytes in little-endian order, as safetensors stores them."""
    flat = t.reshape(-1).view(torch.uint8)  # (numel * itemsize,) in machine byte order
    if sys.byteorder == "big" and t.element_size() > 1:
        flat = flat.view(-1, t.element_size()).flip(-1).reshape(-1)
    return flat.numpy().tobytes()


def _serialize(tensors: dict[str, torch.Tensor], metadata: dict[str, str]) -> bytes:
    """The safetensors file for ``tensors``, deterministic (safetensors.torch.save orders the
    metadata differently from call to call). Bigger items first, then by name, so each tensor
    starts at a multiple of its item size after the 8-byte-padded header, as safetensors does.
    """
    order = sorted(tensors, key=lambda name: (-tensors[name].element_size(), name))
    header: dict[str, Any] = {"__metadata__": dict(sorted(metadata.items()))}
    chunks, offset = [], 0
    for name in order:
        t = tensors[name]
        chunks.append(_raw_bytes(t))
        header[name] = {"dtype": _LABELS[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(chunks[-1])]}
        offset += len(chunks[-1])
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return b"".join([len(text).to_bytes(8, "little"), text, *chunks])


# ---------------------------------------------------------------------------------------------
# Comparing tensors with the architecture


def _expected_specs(cfg: ModelConfig) -> Specs:
    """Names, dtypes and shapes of ``cfg``'s state_dict, built on the meta device: a hostile
    header asking for a gigantic network allocates nothing."""
    try:
        with torch.device("meta"):
            model = build_model(cfg)
    except ValueError as exc:  # e.g. an input too small for the architecture
        raise CheckpointError("ckpt_bad_metadata", reason=str(exc)) from exc
    return {name: (_LABELS[t.dtype], tuple(t.shape)) for name, t in model.state_dict().items()}


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_NAMES_SHOWN])
    return shown + (", …" if len(names) > MAX_NAMES_SHOWN else "")


def _kind(code: str) -> str:
    return "float" if code in _FLOATS else "int" if code in _INTS else code


def _check_specs(expected: Specs, found: Specs) -> None:
    """Raise for the first kind of mismatch: missing, unexpected, shape, then dtype."""
    missing = [name for name in expected if name not in found]
    if missing:
        raise CheckpointError("ckpt_missing", names=_names(missing), count=len(missing))
    extra = sorted(name for name in found if name not in expected)
    if extra:
        raise CheckpointError("ckpt_unexpected", names=_names(extra), count=len(extra))
    for name, (dtype, shape) in expected.items():
        found_dtype, found_shape = found[name]
        if found_shape != shape:
            raise CheckpointError("ckpt_shape", name=name, expected=str(list(shape)),
                                  found=str(list(found_shape)))
        if _kind(found_dtype) != _kind(dtype):  # F16 weights load into F32; I64 counts do not
            raise CheckpointError("ckpt_dtype", name=name, expected=dtype, found=found_dtype)


def _check_finite(tensors: dict[str, torch.Tensor]) -> None:
    for name in sorted(tensors):
        t = tensors[name]
        if t.is_floating_point():
            finite = torch.isfinite(t)
            if not finite.all():
                raise CheckpointError("ckpt_nonfinite", name=name, count=int((~finite).sum()))


# ---------------------------------------------------------------------------------------------
# Public API


def checkpoint_bytes(model: nn.Module, info: CheckpointInfo) -> bytes:
    """The checkpoint file's content in memory (for a download button).

    Raises CheckpointError if the model does not match ``info.config`` or has NaN/inf weights:
    a file that would not load is never produced.
    """
    model = getattr(model, "_orig_mod", model)  # torch.compile's wrapper prefixes every name
    tensors = {name: t.detach().to("cpu").clone(memory_format=torch.contiguous_format)
               for name, t in model.state_dict().items()}  # own storage: no sharing, no strides
    found = {name: (_LABELS[t.dtype], tuple(t.shape)) for name, t in tensors.items()}
    _check_specs(_expected_specs(info.config), found)
    _check_finite(tensors)
    return _serialize(tensors, {"format": FORMAT, "cnnviz": info.to_json()})


def save_checkpoint(path: str | Path, model: nn.Module, info: CheckpointInfo) -> Path:
    """Write ``model``'s weights and ``info`` to ``path`` atomically; create the folder."""
    path = Path(path)
    data = checkpoint_bytes(model, info)  # before touching the disk: a bad model writes nothing
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)
    return path


def read_info(source: str | Path | bytes) -> CheckpointInfo:
    """The description in a checkpoint's header; reads no tensor data (cheap for listings).

    The header's layout is checked against the file size, so a truncated file is refused here.
    """
    meta, _ = _header_of(source)
    return _info_from_meta(meta)


def _read_bytes(source: str | Path | bytes, max_bytes: int) -> bytes:
    def too_large(size: int) -> CheckpointError:
        return CheckpointError("ckpt_too_large", size_mb=size / 1e6, limit_mb=max_bytes / 1e6)

    if isinstance(source, (bytes, bytearray)):
        if len(source) > max_bytes:
            raise too_large(len(source))
        return bytes(source)
    with open(source, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size > max_bytes:
            raise too_large(size)
        data = f.read(max_bytes + 1)  # bounded even if the file grows meanwhile
    if len(data) > max_bytes:
        raise too_large(len(data))
    return data


def load_checkpoint(source: str | Path | bytes, device: str | torch.device = "cpu",
                    max_bytes: int = MAX_BYTES) -> tuple[nn.Module, CheckpointInfo]:
    """Rebuild the model a checkpoint describes, load its weights, move it to ``device``, eval().

    Every problem with the file raises CheckpointError naming it; tensor names, shapes and dtypes
    are compared with the architecture before any tensor is decoded.
    """
    data = _read_bytes(source, max_bytes)
    meta, found = _read_header(io.BytesIO(data), len(data))
    info = _info_from_meta(meta)
    _check_specs(_expected_specs(info.config), found)
    try:  # the weights may be small while the input the file claims is huge
        check_servable(info.config)
    except CnnvizError as exc:
        raise CheckpointError(exc.key, **exc.args_) from None
    try:
        tensors = safetensors.torch.load(data)
    except Exception as exc:  # SafetensorError, ValueError, OSError, ... on damaged bytes
        raise CheckpointError("ckpt_not_safetensors") from exc
    _check_finite(tensors)
    model = build_model(info.config)
    model.load_state_dict(tensors, strict=True)
    return model.to(device).eval(), info


def list_checkpoints(folder: str | Path) -> list[tuple[Path, CheckpointInfo]]:
    """Every readable ``*.safetensors`` checkpoint in ``folder``, sorted by file name.

    Damaged, foreign or vanished files are left out, not raised: a listing never fails.
    """
    listed = []
    for path in sorted(Path(folder).glob(f"*{SUFFIX}")):
        if not path.is_file():
            continue
        try:
            listed.append((path, read_info(path)))
        except (CheckpointError, OSError):
            continue
    return listed
