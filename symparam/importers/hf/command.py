"""``symparam hf CONFIG.json|MODEL_DIR``: the command-line branch for Hugging Face models.

It only translates options into ``from_hf_config`` (and ``reconcile_checkpoint``, ``memory``)
calls; ``symparam.cli`` owns the shared options (``--set``, ``--format``) and the exit codes.
"""

from __future__ import annotations

import json

from symparam.core.errors import SymparamError
from symparam.importers.hf.build import COUNTINGS, from_hf_config

#: the formats of the --memory and --approximations sections
MEMORY_FORMATS = ("text", "markdown", "json")


def add_parser(commands):
    """The ``hf`` sub-command's own options."""
    hf = commands.add_parser("hf", help="a Hugging Face model from its config.json, without "
                                        "transformers")
    hf.add_argument("source", help="CONFIG.json or a model folder")
    hf.add_argument("--batch", help="the batch size the memory section counts (macs stay "
                                    "per example)")
    hf.add_argument("--attention", choices=COUNTINGS, default="full",
                    help="count causal attention's products in full (as eager kernels run "
                         "them) or only the lower triangle")
    hf.add_argument("--decode", action="store_true",
                    help="one decoding step against a KV cache of T positions")
    hf.add_argument("--image-size", metavar="SIDE|H,W",
                    help="an image model's (ViT's) side, or height,width: numbers or names "
                         "(S for a formula in the side); the config's image_size by default")
    hf.add_argument("--symbolic", action="append", metavar="FIELD=name",
                    help="read a config field as a symbol, e.g. hidden_size=d (repeatable)")
    hf.add_argument("--reconcile", action="store_true",
                    help="compare with the checkpoint's safetensors headers (MODEL_DIR); "
                         "exit 1 on any mismatch")
    hf.add_argument("--memory", action="store_true", help="add the memory section")
    hf.add_argument("--approximations", action="store_true",
                    help="add Kaplan's, 6N and PaLM's FLOPs per token beside the exact ones")
    hf.add_argument("--dtype", default="bf16", help="weights' dtype for --memory")
    hf.add_argument("--optimizer", choices=("none", "adam", "sgd"), default="none",
                    help="training with this optimizer (--memory)")
    hf.add_argument("--recompute", action="store_true",
                    help="full activation recomputation (--memory)")
    return hf


def run(options, values_for) -> tuple[str, int]:
    """The rendered report and the exit code; ``values_for(symbols)`` reads ``--set``."""
    from symparam.report.render import render
    symbolic = dict(_pair(text) for text in options.symbolic or ())
    model = from_hf_config(options.source, attention=options.attention, decode=options.decode,
                           symbolic=symbolic or None, batch=options.batch,
                           image_size=_sides(options.image_size))
    summary = model.summary()
    if options.reconcile:
        from symparam.importers.hf.reconcile import reconcile_checkpoint
        report = reconcile_checkpoint(options.source, summary)
        return report.render(options.format), 0 if report.ok else 1
    values = values_for(summary.free_symbols)
    output = render(summary, options.format, values=values, standalone=options.standalone)
    extras = [(flag, build) for flag, build in (("memory", _memory), ("approximations",
                                                                        _approximations))
              if getattr(options, flag)]
    if extras and options.format not in MEMORY_FORMATS:
        raise SymparamError(f"--{extras[0][0]}: rendered as {', '.join(MEMORY_FORMATS)}, not "
                            f"{options.format}")
    for flag, build in extras:
        output = _append(output, options.format, flag, build(summary, options, values))
    return output, 0


def _sides(text: str | None):
    """``--image-size``: one side, or ``H,W``; each part read by ``from_hf_config``'s own
    checked size parser."""
    if text is None:
        return None
    sides = [part.strip() for part in text.split(",")]
    return sides[0] if len(sides) == 1 else tuple(sides)


def _pair(text: str) -> tuple[str, str]:
    field, sep, name = text.partition("=")
    if not sep:
        raise SymparamError(f"--symbolic: expected FIELD=name, got {text!r}")
    return field.strip(), name.strip()


def _memory(summary, options, values) -> tuple:
    """The memory section: its JSON value and its table."""
    from symparam.analysis.memory import memory
    report = memory(summary, dtype=options.dtype, recompute=options.recompute,
                    optimizer=None if options.optimizer == "none" else options.optimizer)
    if values:
        report = report.subs(**values)
    return report.as_dict(), report.table(markdown=options.format == "markdown")


def _approximations(summary, options, values) -> tuple:
    """FLOPs per token: exact, approximate and the difference, per approximation."""
    from symparam.analysis.scaling import approximations
    length = values.get("T")
    items = approximations(summary, int(length) if length is not None and length.is_Integer
                           else None)
    data = [{"name": a.name, "exact": _value(a.exact), "approximate": _value(a.approximate),
             "difference": _value(a.difference)} for a in items]
    head = "| FLOPs per token | exact | approximate | exact - approximate |\n|---|---|---|---|"
    rows = [f"| {d['name']} | {d['exact']} | {d['approximate']} | {d['difference']} |"
            for d in data]
    if options.format != "markdown":
        head = "FLOPs per token (exact, approximate, exact - approximate)"
        rows = [f" {d['name']}: {d['exact']}, {d['approximate']}, {d['difference']}"
                for d in data]
    return data, "\n".join([head, *rows]) + "\n"


def _value(expr):
    import sympy
    expr = sympy.expand(expr)
    return int(expr) if expr.is_Integer else str(expr)


def _append(output: str, fmt: str, key: str, section: tuple) -> str:
    data, table = section
    if fmt == "json":
        document = json.loads(output)
        document[key] = data
        return json.dumps(document, indent=2) + "\n"
    return output + "\n" + table
