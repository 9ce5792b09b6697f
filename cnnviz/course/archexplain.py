"""How each number of the architecture walk is computed, as formulas with the numbers substituted,
and the numbers behind the idea each architecture introduced.

Formulas are language-neutral text (catalog keys name them); every output-size formula is checked
against the shape PyTorch produced and left out where it would disagree. No Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from torch import nn

from cnnviz.course.architectures import FLOAT32_BYTES, Product, Totals, WalkRow, build
from cnnviz.course.receptive import Window, chain

__all__ = ["Formula", "MAX_LINES", "idea_numbers", "megabytes", "memory_line", "row_formulas", "size_formula",
           "total_params_line", "values_product"]

Formula = tuple[str, str]  # (catalog key of its label, the formula)
MAX_LINES = 8  # a block's convolutions beyond this are summed up in one line


def megabytes(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:,.1f} MB ({n_bytes / 2**20:,.1f} MiB)"


def values_product(shape: Sequence[int]) -> Product:
    """Values of a (C, H, W) map written H·W·C, as the course does; other shapes as they are."""
    if len(shape) == 3:
        c, h, w = shape
        return Product((h, w, c))
    return Product(tuple(shape))


def size_formula(n: int, row: WalkRow) -> str | None:
    """⌊(N + 2P − D·(K − 1) − 1) / S⌋ + 1 with the row's numbers (⌈⌉ for a ceil-mode pool)."""
    if not row.kernel or len(row.out_shape) != 3:
        return None
    top = n + 2 * row.padding - row.dilation * (row.kernel - 1) - 1
    size = (math.ceil(top / row.stride) if row.ceil else top // row.stride) + 1
    if size != row.out_shape[1]:
        return None  # ceil mode's extra rule (the last window must start inside) applied
    left, right = ("⌈", "⌉") if row.ceil else ("⌊", "⌋")
    return (f"{left}({n} + 2·{row.padding} − {row.dilation}·({row.kernel} − 1) − 1) / {row.stride}{right} + 1"
            f" = {size}")


def _lines(products: Sequence[Product]) -> list[str]:
    shown = [p.text() for p in products[:MAX_LINES]]
    rest = products[MAX_LINES:]
    if rest:
        shown.append(f"… + {sum(p.value for p in rest):,} ({len(rest)})")
    if len(products) > 1:
        shown.append(" + ".join(f"{p.value:,}" for p in products[:MAX_LINES])
                     + (" + …" if rest else "") + f" = {sum(p.value for p in products):,}")
    return shown


def memory_line(row: WalkRow) -> str:
    """New memory in bytes: 0 for a layer that works in place (ReLU(inplace=True), eval Dropout)."""
    return f"{row.allocated:,} × {FLOAT32_BYTES} B = {row.bytes:,} B"


def row_formulas(rows: Sequence[WalkRow], index: int) -> list[Formula]:
    """Every number of row ``index`` with the formula it comes from."""
    row = rows[index]
    before = rows[index - 1] if index else None
    out: list[Formula] = []
    side = size_formula(row.in_shape[1], row) if len(row.in_shape) == 3 else None
    if side:
        out.append(("arch_f_side", side))
    out.append(("arch_f_values", values_product(row.out_shape).text()))
    out += [("arch_f_weights", line) for line in _lines(row.weights)]
    if row.weights or row.biases:
        out.append(("arch_f_params", f"{row.weight_count:,} + {row.biases:,} = {row.params:,}"))
    out.append(("arch_f_memory", memory_line(row)))
    out += [("arch_f_macs", line) for line in _lines(row.macs)]
    out.append(_field_formula(row, before))
    return out


def _field_formula(row: WalkRow, before: WalkRow | None) -> Formula:
    r0, j0 = (before.rf, before.jump) if before else (1, 1)
    if row.rf is None or r0 is None or j0 is None or row.span is None:
        return ("arch_f_rf_all", "")
    return ("arch_f_rf", f"r = {r0} + ({row.span} − 1)·{j0} = {row.rf},  j = {j0}·{row.step} = {row.jump}")


def total_params_line(rows: Sequence[WalkRow]) -> str:
    """The parameters of every layer that has any, added up: 156 + 2,416 + … = 61,706."""
    counts = [r.params for r in rows if r.params]
    return " + ".join(f"{c:,}" for c in counts) + f" = {sum(counts):,}"


def _stack(n: int, channels: int) -> dict[str, int]:
    """n stacked 3x3 convolutions of C channels against one convolution with the same field."""
    side = chain([Window(3, 1)] * n)[-1].r or 0
    return {f"side{n}": side, f"stacked{n}": n * 3 * 3 * channels * channels,
            f"single{n}": side * side * channels * channels}


def _dropout_rates(model: nn.Module) -> list[float]:
    return [float(m.p) for m in model.modules() if isinstance(m, nn.Dropout)]


def idea_numbers(arch: str, rows: Sequence[WalkRow], total: Totals) -> dict[str, object]:
    """Numbers the idea of ``arch`` is explained with, all read from the model or its walk."""
    sides = [r.out_shape[1] for r in rows if len(r.out_shape) == 3 and r.kind in ("Conv2d", "AvgPool2d",
                                                                                  "MaxPool2d")]
    if arch == "lenet5":
        widths = [r.out_shape[0] for r in rows if r.kind == "Linear"]
        first = rows[0].in_shape[1]
        return {"sides": " → ".join(str(s) for s in [first, *sides]),
                "widths": " → ".join(str(w) for w in [_flat(rows), *widths]),
                "params": f"{total.params:,}"}
    if arch == "alexnet":
        pools = [r for r in rows if r.kind == "MaxPool2d"]
        rates = _dropout_rates(build(arch))
        return {"k": pools[0].kernel, "s": pools[0].stride, "overlap": pools[0].kernel - pools[0].stride,
                "pools": len(pools), "relus": sum(r.kind == "ReLU" for r in rows),
                "p": rates[0] if rates else 0.0, "dropouts": len(rates)}
    if arch == "vgg16":
        return {**_stack(2, 256), **_stack(3, 256), "c": 256,
                "convs": sum(r.kind == "Conv2d" for r in rows)}
    if arch == "googlenet":
        return {"modules": sum(r.kind == "Inception" for r in rows), "params": f"{total.params:,}"}
    blocks = [m for m in build(arch).modules() if type(m).__name__ == "BasicBlock"]
    projected = sum(getattr(b, "downsample", None) is not None for b in blocks)
    return {"blocks": len(blocks), "identity": len(blocks) - projected, "projected": projected,
            "layers": sum(r.kind in ("Conv2d", "Linear") for r in rows) + 2 * len(blocks)}


def _flat(rows: Sequence[WalkRow]) -> int:
    """Inputs of the first fully connected layer."""
    first = next(r for r in rows if r.kind == "Linear")
    return first.in_shape[0]
