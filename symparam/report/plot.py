"""Plots of sweeps (matplotlib is an optional extra: ``pip install 'symparam[plot]'``)."""

from __future__ import annotations

from symparam.core.errors import SymparamError

#: each swept quantity: its panel's y label (with the unit) and its line style
PANELS = {"params": ("parameters (count)", dict(color="tab:blue", marker="o", linestyle="-")),
          "macs": ("MACs per example (multiply-accumulates)",
                   dict(color="tab:red", marker="s", linestyle="--"))}


def plot_sweep(result: dict, along: str, path: str, *, unit: str = "size") -> None:
    """Parameters and MACs against the swept dimension ``along``: one panel each, stacked
    with a shared x axis (two lines on twin axes hid each other), log-scaled y axes labelled
    with their units, and the dimension's name on the x axis."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SymparamError("--plot needs matplotlib: pip install 'symparam[plot]'") from None
    shown = [key for key in PANELS if key in result]
    figure, axes = plt.subplots(len(shown), 1, sharex=True, squeeze=False,
                                figsize=(7, 2.6 * len(shown) + 0.8), dpi=120)
    for axis, key in zip(axes[:, 0], shown):
        label, style = PANELS[key]
        axis.plot(result[along], result[key], label=label, **style)
        axis.set_ylabel(label.replace(" (", "\n("))
        axis.set_yscale("log")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(loc="upper left", frameon=False)
    axes[-1, 0].set_xlabel(f"{along} ({unit})")
    names = " and ".join(PANELS[key][0].split(" (")[0] for key in shown)
    axes[0, 0].set_title(f"{names.capitalize()} against {along}")
    figure.tight_layout()
    try:
        figure.savefig(path)
    except OSError as error:
        raise SymparamError(f"--plot: cannot write {path} ({error.strerror or error})") from None
    finally:
        plt.close(figure)
