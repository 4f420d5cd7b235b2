"""Figure: training dynamics of every model on a dataset (reports/figures/training_DATASET.png).

Four panels over training steps, from each experiment's train_log.jsonl: D's reconstruction
errors on real, reconstructed and interpolated images (GAIA) with the AE's and ACAI's
reconstruction loss (each in its own pixel loss, L1 or MSE, as the legend says) and every
model's held-out L1 of G(X) (the VAE's training loss, a Bernoulli likelihood summed over pixels,
is on another scale and not drawn); GAIA's objectives L_D, L_G and the distance regulariser;
the balanced learning rates lr_D and lr_G; and the adaptive weights p_fake and p_s. A fifth
panel puts the held-out curves against seconds of training (from the logged speed), where the
models' different step costs are compared fairly; on lines it adds the share of test lines G(X)
draws at their angle.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from gaia import paths
from gaia.experiment import Experiment, resolve_experiment
from gaia.figures.common import TWIN_AXIS, plt, save_figure
from gaia.utils.artifacts import reading

PANELS = (
    (
        "Reconstruction errors (training batches; held out: L1)",
        {
            "L_real": "D(X) vs X",
            "L_gr": "D(G(X)) vs X",
            "L_gi": "D(G(Z_interp)) vs G(Z_interp)",
            "L_recon": "G(X) vs X",  # in the model's own pixel loss: see _label
            "eval_recon_l1": "G(X) vs X, held out",
            "eval_raw_recon_l1": "G(X) vs X, held out, raw weights",
        },
    ),
    ("Objectives", {"L_D": "L_D", "L_G": "L_G", "L_dist": "L_dist (distance regulariser)"}),
    ("Learning rates", {"lr_D": "lr_D", "lr_G": "lr_G"}),
    ("Adaptive weights", {"p_fake": "p_fake", "p_s": "p_s"}),
)


PANEL_COUNT = len(PANELS) + 1  # and the held-out curves against training time


def read_log(path: Path, batch_size: int | None = None) -> pd.DataFrame:
    """The JSON lines of a training log as one table (evaluation rows have NaN elsewhere); with
    the batch size, also `seconds`: training time so far, from each interval's logged speed."""
    with reading(path, "training log"):
        lines = path.read_text(encoding="utf-8").splitlines()
        log = pd.DataFrame.from_records([json.loads(line) for line in lines if line])
        if "step" not in log:
            raise KeyError("no 'step' in its records")
    if batch_size is not None and "images_per_s" in log:
        intervals = log.dropna(subset=["images_per_s"])
        steps = intervals["step"].diff().fillna(intervals["step"])
        elapsed = (steps * batch_size / intervals["images_per_s"]).cumsum()
        # an evaluation row takes the time of the last interval logged at or before its step
        log["seconds"] = elapsed.reindex(log.index).ffill()
    return log


def _plot_against_time(ax, logs: dict[str, pd.DataFrame], styles: Sequence[str]) -> None:
    """Held-out L1 of G(X) (and, on lines, the shares of test lines drawn, and at their angle)
    against seconds."""
    angle_ax = None
    for style, (model, log) in zip(styles, logs.items(), strict=False):
        if "seconds" not in log or "eval_recon_l1" not in log:
            continue
        evals = log.dropna(subset=["eval_recon_l1"])
        ax.plot(evals["seconds"], evals["eval_recon_l1"], linestyle=style, marker="o",
                markersize=4, label=f"{model}: G(X) L1, held out")  # fmt: skip
        if "eval_raw_recon_l1" in evals:  # the trained weights, where G is their average
            ax.plot(evals["seconds"], evals["eval_raw_recon_l1"], linestyle=style, alpha=0.4,
                    label=f"{model}: raw weights")  # fmt: skip
        shares = {"eval_drawn_line_accuracy": ("tab:red", "lines drawn (angle and shape)"),
                  "eval_angle_accuracy": ("tab:pink", "lines at their angle")}  # fmt: skip
        for column, (colour, what) in shares.items():
            if column not in evals:
                continue
            if angle_ax is None:
                angle_ax = ax.twinx()
                angle_ax.set_label(TWIN_AXIS)
            angle_ax.plot(evals["seconds"], evals[column], linestyle=style, color=colour,
                          marker="s", markersize=3, label=f"{model}: {what}")  # fmt: skip
    ax.set_title("Held out against training time", fontsize=10)
    ax.set_xlabel("seconds of training")
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    if angle_ax is not None:
        angle_ax.set_ylim(0, 1)
        angle_ax.set_ylabel("share of test lines")
        more = angle_ax.get_legend_handles_labels()
        handles, labels = handles + more[0], labels + more[1]
    if handles:
        ax.legend(handles, labels, fontsize=6, loc="best")


def _label(exp: Experiment, column: str, label: str) -> str:
    """A legend label; the AE's and ACAI's training loss L_recon is their own pixel loss (MSE for
    ACAI and the lines AE, L1 otherwise), named so that it is not read as an L1."""
    if column != "L_recon":
        return label
    loss = "mse" if exp.objective == "acai" else exp.objective_params.get("loss", "l1")
    return f"{label} ({loss.upper()})"


def plot_training(
    params: dict[str, Any], dataset: str, models: Sequence[str], out_png: Path | None = None
) -> list[Path]:
    experiments = {model: resolve_experiment(params, f"{dataset}/{model}") for model in models}
    logs = {
        model: read_log(paths.train_log(dataset, model), exp.training["batch_size"])
        for model, exp in experiments.items()
    }
    # The sigmoids' slope b is set per experiment (lines: 300, synthfaces: the paper's 20).
    slopes = ", ".join(
        f"b = {exp.objective_params['slope']:g} for {model}"
        for model, exp in experiments.items()
        if exp.objective == "gaia"
    )
    fig, axes = plt.subplots(1, PANEL_COUNT, figsize=(4.2 * PANEL_COUNT, 3.6))
    styles = ("-", "--", ":", "-.")
    for ax, (title, columns) in zip(axes[: len(PANELS)], PANELS, strict=True):
        for style, (model, log) in zip(styles, logs.items(), strict=False):
            for column, label in columns.items():
                if column not in log:
                    continue
                series = log[["step", column]].dropna()
                marker = "o" if column.startswith("eval_") else None
                ax.plot(
                    series["step"],
                    series[column],
                    linestyle=style,
                    marker=marker,
                    markersize=4,
                    label=f"{model}: {_label(experiments[model], column, label)}",
                )
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("training step")
        ax.grid(alpha=0.3)
        if ax.has_data():
            ax.legend(fontsize=6, loc="best")
    _plot_against_time(axes[-1], logs, styles)
    axes[0].set_ylabel("error of pixels in [0, 1] (L1 unless marked)")
    axes[2].set_ylabel("learning rate")
    fig.suptitle(
        f"Training dynamics on {dataset}: {', '.join(models)} "
        f"(lr_D = lr_max * sigmoid(b (L_real - L_fake)), lr_G = lr_max - lr_D; {slopes})",
        fontsize=11,
    )
    fig.tight_layout()
    return save_figure(fig, out_png or paths.figure(f"training_{dataset}"))
