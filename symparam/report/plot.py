"""Plots of sweeps (matplotlib is an optional extra: ``pip install 'symparam[plot]'``)."""

from __future__ import annotations

from symparam.core.errors import SymparamError


def plot_sweep(result: dict, along: str, path: str) -> None:
    """Parameters and MACs against the swept dimension ``along``, on two log axes."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SymparamError("--plot needs matplotlib: pip install 'symparam[plot]'") from None
    figure, left = plt.subplots(figsize=(7, 4.2), dpi=120)
    left.plot(result[along], result["params"], "o-", color="tab:blue", label="parameters")
    left.set_xlabel(along)
    left.set_ylabel("parameters", color="tab:blue")
    left.set_yscale("log")
    if "macs" in result:
        right = left.twinx()
        right.plot(result[along], result["macs"], "s--", color="tab:red", label="MACs")
        right.set_ylabel("MACs per example", color="tab:red")
        right.set_yscale("log")
    left.set_title(f"Parameters and MACs against {along}")
    left.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    try:
        figure.savefig(path)
    except OSError as error:
        raise SymparamError(f"--plot: cannot write {path} ({error.strerror or error})") from None
    finally:
        plt.close(figure)
