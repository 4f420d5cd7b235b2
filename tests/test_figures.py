"""Figure helpers: the tile grids of the image figures have the promised panel layout."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gaia.figures.common import PAD, tile_grid


def test_tile_grid_lays_out_rows_and_columns() -> None:
    rgb = np.zeros((10, 32, 32, 3), np.uint8)
    grey = np.full((7, 32, 32, 1), 200, np.uint8)
    canvas = tile_grid([rgb, grey, rgb])
    assert canvas.shape == (3 * (32 + PAD) - PAD, 10 * (32 + PAD) - PAD, 3)
    row = 32 + PAD
    assert (canvas[row : row + 32, :32] == 200).all()  # grey repeated to RGB
    assert (canvas[row : row + 32, 7 * row :] == 255).all()  # a short row ends in white
    assert (canvas[32:row] == 255).all() and (canvas[:32, :32] == 0).all()


def test_edit_rows_hold_the_face_then_each_vector_added_and_removed() -> None:
    from gaia.figures.attribute_edits import edit_columns
    from gaia.figures.renders import edit_latents

    z = np.array([[1.0, 0.0], [0.0, 1.0]])
    vectors = np.array([[1.0, 1.0], [0.0, 2.0], [3.0, 0.0]])
    latents = edit_latents(z, vectors, 2.0).numpy().reshape(2, 7, 2)
    assert len(edit_columns(["a", "b", "c"])) == 1 + latents.shape[1]  # X, then G(z) and edits
    np.testing.assert_allclose(latents[0, 0], z[0])
    np.testing.assert_allclose(latents[1, 3], z[1] + 2.0 * vectors[1])  # +b
    np.testing.assert_allclose(latents[1, 4], z[1] - 2.0 * vectors[1])  # -b


def test_signed_change_matrix_reads_efficacy_on_the_diagonal() -> None:
    import pandas as pd

    from gaia.figures.entanglement import signed_change_matrix

    rows = []
    for attribute, add, remove in (("A", (0.6, -0.2), (-0.4, 0.2)), ("B", (0.1, 0.5), (0.1, -0.3))):
        for direction, (delta_a, delta_b) in (("add", add), ("remove", remove)):
            rows.append(
                {"method": "ols", "attribute": attribute, "direction": direction, "scale": 1.0}
                | {"delta_A": delta_a, "delta_B": delta_b}
            )
    matrix = signed_change_matrix(pd.DataFrame(rows), "ols", 1.0)
    # per unit added: mean of the add delta and minus the remove delta
    np.testing.assert_allclose(matrix.to_numpy(), [[0.5, -0.2], [0.0, 0.4]])


def test_saved_png_records_its_panels_and_tile_grids(tmp_path) -> None:
    from gaia.figures.common import figure_layout, plt, save_figure, show_grid

    fig, (grid_ax, plot_ax) = plt.subplots(1, 2)
    tiles = np.zeros((3, 8, 8, 3), np.uint8)
    show_grid(grid_ax, {"a": tiles, "b": tiles[:2]}, ["x", "y", "z"])
    fig.colorbar(plot_ax.imshow(np.eye(2)), ax=plot_ax)  # a colour bar is not a panel
    png, pdf = save_figure(fig, tmp_path / "figure.png")
    assert figure_layout(png) == {"Panels": "2", "Tiles": "2x3"}
    assert pdf.suffix == ".pdf" and pdf.stat().st_size > 1000


def test_training_figure_states_each_gaia_slope(
    default_params: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The title gives the balancing slope b each GAIA experiment trained with (lines: 300)."""
    from gaia import paths
    from gaia.figures import training

    monkeypatch.chdir(tmp_path)
    for model in ("gaia", "ae"):
        log = paths.train_log("lines", model)
        log.parent.mkdir(parents=True)
        rows = [{"step": s, "L_real": 0.1, "images_per_s": 50.0} for s in (25, 50)]
        log.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    titles = []
    monkeypatch.setattr(training, "save_figure", lambda fig, _: titles.append(fig._suptitle))
    training.plot_training(default_params, "lines", ["gaia", "ae"])
    slope = default_params["experiments"]["lines"]["gaia"]["gaia"]["slope"]
    assert (
        f"b = {slope:g} for gaia" in titles[0].get_text() and "for ae" not in titles[0].get_text()
    )


def test_the_over_seeds_figure_draws_a_panel_per_dataset_and_quantity(tmp_path) -> None:
    from gaia.figures.common import figure_layout
    from gaia.figures.seeds import plot_over_seeds

    values = {
        ("lines", "Mean Distance"): {"gaia": [1.0, 2.0, None], "ae": [3.0, 3.5, 4.0]},
        ("lines", "Smoothness"): {"gaia": [0.5, 0.6, 0.7]},
        ("faces", "FID"): {"ae": [None, None, None]},  # measured in no seed: no panel
    }
    png, pdf = plot_over_seeds(values, tmp_path / "over_seeds.png")
    assert png.is_file() and pdf.is_file()
    assert figure_layout(png)["Panels"] == "2"
    with pytest.raises(ValueError, match="no value to draw"):
        plot_over_seeds({("faces", "FID"): {"ae": [None]}}, tmp_path / "none.png")


def test_the_curves_figure_draws_a_panel_per_dataset_with_a_line_per_seed(tmp_path) -> None:
    import pandas as pd

    from gaia.figures.common import figure_layout
    from gaia.figures.seeds import plot_curves_over_seeds

    def log(*l1: float) -> pd.DataFrame:  # training rows have no evaluation: NaN there
        evals = [{"step": 100 * (i + 1), "eval_recon_l1": v} for i, v in enumerate(l1)]
        return pd.DataFrame([{"step": 50, "L_G": 1.0}, *evals])

    curves = {
        "synthfaces": {"gaia": {0: log(0.1, 0.05), 1: log(0.1, 0.2)}, "ae": {0: log(0.05, 0.03)}},
        "lines": {"gaia": {}, "ae": {0: log(0.01, 0.005)}},
        "faces": {"gaia": {}},  # no run has a log: no panel
    }
    png, _ = plot_curves_over_seeds(curves, tmp_path / "curves.png")
    assert figure_layout(png)["Panels"] == "2"
    with pytest.raises(ValueError, match="no curve to draw"):
        plot_curves_over_seeds({"faces": {"gaia": {}}}, tmp_path / "none.png")


def test_the_claims_figure_draws_a_cell_per_claim_and_milestone(tmp_path, monkeypatch) -> None:
    from gaia.figures.claims import plot_claims_along_training, verdict_grid
    from gaia.report.claims import Claim, Measure, Verdict

    measure = Measure("error", ("gaia", "ae"), (1.0, 2.0))
    settled = Claim("a/x", "A", "x", (measure,), history={0.25: Verdict.NOT_SUPPORTED})
    unsettled = Claim("b/x", "B", "x", (measure,), history={0.5: Verdict.MIXED})
    labels, columns, cells = verdict_grid([settled, unsettled])
    assert labels == ["A [x]", "B [x]"] and columns == ["0.25", "0.5", "end"]
    assert cells == [
        [Verdict.NOT_SUPPORTED, None, Verdict.SUPPORTED],
        [None, Verdict.MIXED, Verdict.SUPPORTED],
    ]
    # A target without GAIA and the AE judges nothing, and the figure says so.
    monkeypatch.chdir(tmp_path)
    target = {
        "datasets": ["lines"],
        "models": ["vae"],
        "attribute_datasets": [],
        "fid_datasets": [],
    }
    params = {"models": {"vae": {"objective": "vae"}}}
    (png, pdf) = plot_claims_along_training(params, target, tmp_path / "claims.png")
    assert png.is_file() and pdf.is_file()


def test_the_interpolation_loop_goes_there_and_back(tmp_path, monkeypatch) -> None:
    """Every model's decodes side by side between real A and B, t from 0 to 1 and back, looped;
    grey lines drawn as RGB, each pixel enlarged, names above."""
    from PIL import Image

    from gaia.figures import animations

    frames = animations.FRAMES
    a, b = np.zeros((2, 8, 8, 1), np.uint8), np.full((2, 8, 8, 1), 255, np.uint8)
    ramp = np.linspace(0, 255, frames).astype(np.uint8)[None, :, None, None, None]
    decodes = {"gaia": np.broadcast_to(ramp, (2, frames, 8, 8, 1)).copy(), "ae": 0 * ramp + 7}
    decodes["ae"] = np.broadcast_to(decodes["ae"], (2, frames, 8, 8, 1)).copy()
    monkeypatch.setattr(animations, "interpolation_frames", lambda *args: (a, b, decodes))
    out = animations.animate_interpolations({}, "lines", ["gaia", "ae"], tmp_path / "loop.gif")
    assert out == [tmp_path / "loop.gif"]
    with Image.open(out[0]) as gif:
        assert gif.n_frames == 2 * frames - 2 and gif.info["loop"] == 0
        scale, label = animations.SCALE, animations.LABEL_HEIGHT
        assert gif.size == (4 * 8 * scale, 2 * 8 * scale + label)  # A, two models, B; 2 pairs
        middles = []
        for i in range(gif.n_frames):
            gif.seek(i)
            rgb = np.asarray(gif.convert("RGB"))
            middles.append(int(rgb[label + 4, 8 * scale + 4, 0]))  # pair 1, the first model
            # one shared palette of COLOURS colours: within a few levels of the decodes
            assert rgb[label + 4, 4, 0] <= 4 and rgb[label + 4, 3 * 8 * scale + 4, 0] >= 250
        assert middles[0] <= 4 and max(middles) == middles[frames - 1] >= 250
        assert middles[frames:] == middles[frames - 2 : 0 : -1]  # the way back
