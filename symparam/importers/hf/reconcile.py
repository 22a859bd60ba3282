"""``symparam hf MODEL_DIR --reconcile``: the size of every weight the config's equations
declare beside the checkpoint's tensor of that name (read from the safetensors headers only).

Each symparam weight is named as ``transformers`` stores it (``symparam.importers.hf.names``);
a layer stack's weight becomes one tensor per layer (and per expert, where the checkpoint
stores experts apart), fused tensors add their parts.  A checkpoint's extra tensor is fine
when it is a tied copy of the token embedding or a saved buffer; anything else unmatched, and
any differing size, is a mismatch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import reduce
from math import gcd
from pathlib import Path

from symparam.core.errors import SymparamError
from symparam.importers.hf.build import from_hf_config
from symparam.importers.hf.config import load
from symparam.importers.hf.names import BASES, BUFFERS, HEAD_NAMES, TABLES, TIED
from symparam.importers.hf.safetensors import from_safetensors

#: statuses that are not a mismatch
AGREEING = frozenset({"ok", "tied", "buffer"})


@dataclass(frozen=True)
class TensorRow:
    name: str
    expected: int | None
    found: int | None
    status: str


@dataclass(frozen=True)
class CheckpointReconciliation:
    """Every tensor name with the config's count and the checkpoint's, and a status."""

    name: str
    rows: tuple
    expected_total: int
    found_total: int

    @property
    def ok(self) -> bool:
        return all(row.status in AGREEING for row in self.rows)

    def render(self, fmt: str = "text") -> str:
        return render_reconciliation(self, fmt)

    def __repr__(self) -> str:
        return f"<CheckpointReconciliation {self.name!r}: {len(self.rows)} tensors, " \
               f"ok={self.ok}>"


def reconcile_checkpoint(folder, summary=None) -> CheckpointReconciliation:
    """Compare a model folder's ``config.json`` with its safetensors checkpoint."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SymparamError(f"--reconcile needs a model folder (config.json and the "
                            f"safetensors files), got {folder}")
    data = load(folder)
    summary = summary or from_hf_config(data).summary()
    expected = expected_tensors(summary, data)
    bases = BASES.get(data.get("model_type"), ())
    strip = lambda name: next((name[len(b):] for b in bases if name.startswith(b)),  # noqa
                              name)
    found = {strip(name): t.numel for name, t in from_safetensors(folder).tensors.items()}
    expected = {strip(name): size for name, size in expected.items()}
    embedding = next((size for name, size in expected.items()
                      if name.endswith(("embed_tokens.weight", "wte.weight", "shared.weight",
                                        "word_embeddings.weight"))), None)
    rows = [_row(name, expected.get(name), found.get(name), embedding)
            for name in sorted(set(expected) | set(found))]
    return CheckpointReconciliation(summary.name, tuple(rows), sum(expected.values()),
                                    sum(found.values()))


def _row(name, expected, found, embedding) -> TensorRow:
    if expected is None:
        if name.endswith(TIED) and found == embedding:
            status = "tied"
        elif name.endswith(BUFFERS):
            status = "buffer"
        else:
            status = "unexpected"
    elif found is None:
        status = "missing"
    else:
        status = "ok" if expected == found else "differs"
    return TensorRow(name, expected, found, status)


def expected_tensors(summary, data: dict) -> dict:
    """``{tensor name: size}`` for every weight of ``summary``, as transformers names them."""
    model_type = data.get("model_type")
    if model_type not in TABLES:
        raise SymparamError(f"--reconcile: symparam has no tensor names for {model_type!r} "
                            f"yet; it has them for {', '.join(sorted(TABLES))}")
    weights = [w for row in summary.rows if row.derivation for w in row.derivation.weights]
    arch = (data.get("architectures") or [""])[0]
    table = HEAD_NAMES | TABLES[model_type](data, any(w.startswith("W_g^mlp") for w in weights),
                                            arch.endswith("ForSequenceClassification"))
    sizes: dict = {}
    for row in summary.rows:
        if row.derivation is None or not row.derivation.weights:
            continue
        key, start = _table_row(row.name, table)
        prefix, names, *offset = table[key]
        for name, size in _row_tensors(row, prefix, names, start + sum(offset)):
            sizes[name] = sizes.get(name, 0) + size
    return sizes


def _table_row(name: str, table: dict) -> tuple[str, int]:
    """The table's entry for a row, and the index of its first layer: a stack split in runs
    (some layers with a sliding window) has rows ``layers_{first}``."""
    if name in table:
        return name, 0
    base, _, first = name.rpartition("_")
    if base in table and first.isdigit():
        return base, int(first)
    raise SymparamError(f"--reconcile: no tensor names for the row {name!r}")


def _row_tensors(row, prefix: str, names: dict, offset: int):
    weights = row.derivation.weights
    layers = reduce(gcd, (int(w.copies) for w in weights.values()))
    for key, weight in weights.items():
        suffix = names.get(key.removesuffix("^(l)"))
        if suffix is None:
            raise SymparamError(f"--reconcile: no tensor name for {key!r} in {row.name!r}")
        size, experts = int(weight.shape[0] * weight.shape[1]), int(weight.copies) // layers
        if "{j}" not in suffix:  # experts stored together in one tensor
            size, experts = size * experts, 1
        for i in range(layers):
            for j in range(experts):
                yield (prefix + suffix).format(i=i + offset, j=j), size


def render_reconciliation(report: CheckpointReconciliation, fmt: str) -> str:
    """The report as ``text`` (aligned columns), ``markdown`` or ``json``."""
    if fmt == "json":
        return json.dumps({"name": report.name, "ok": report.ok,
                           "expected_total": report.expected_total,
                           "found_total": report.found_total,
                           "tensors": [vars(row) for row in report.rows]}, indent=2) + "\n"
    if fmt not in ("text", "markdown"):
        raise SymparamError(f"--reconcile: rendered as text, markdown or json, not {fmt}")
    shown = [row for row in report.rows if row.status != "ok"] or []
    header = ("tensor", "config.json", "checkpoint", "status")
    cells = [(r.name, _n(r.expected), _n(r.found), r.status) for r in shown]
    verdict = "every tensor matches" if report.ok else \
        f"{sum(r.status not in AGREEING for r in report.rows)} tensor(s) differ"
    lines = [f"{report.name}: {len(report.rows)} tensors, config {report.expected_total:,} "
             f"parameters, checkpoint {report.found_total:,}: {verdict}"]
    if fmt == "markdown":
        lines += ["", "| " + " | ".join(header) + " |", "|---|---:|---:|---|"]
        lines += ["| " + " | ".join(c.replace("|", r"\|") for c in cell) + " |"
                  for cell in cells]
    elif cells:
        widths = [max(len(c[k]) for c in [header, *cells]) for k in range(4)]
        lines += ["  ".join(c.ljust(w) for c, w in zip(cell, widths)).rstrip()
                  for cell in [header, *cells]]
    return "\n".join(lines) + "\n"


def _n(value) -> str:
    return "-" if value is None else f"{value:,}"
