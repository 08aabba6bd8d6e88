"""What the figures say about themselves."""

import dataclasses
from pathlib import Path

from stpexplorer.plotting import plot_panels, plot_raster
from synthetic import synthetic_result


def _legend_texts(ax):
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


def test_raster_legend_explains_the_orange_ticks():
    result = synthetic_result([0, 7, 12, 7], [10.0, 20.0, 30.0, 40.0])
    result = dataclasses.replace(result, rec_neuron=0, syn_pre=7, syn_post=12)
    texts = _legend_texts(plot_raster(result))
    assert texts == ["neuron 0 (recorded neuron: v, g below)",
                     "neuron 7 (presynaptic of synapse 7 → 12: u, x below)"]
    same = dataclasses.replace(result, syn_pre=0)
    (text,) = _legend_texts(plot_panels(same)[1]["raster"])
    assert text.startswith("neuron 0 (recorded neuron") and "presynaptic of synapse 0 → 12" in text


def test_readme_explains_the_orange_ticks():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    caption = " ".join(readme.split("![panels")[1].split("## Quick start")[0].split())
    assert "orange ticks" in caption and "recorded neuron" in caption
    assert "presynaptic neuron of the recorded synapse" in caption


def test_a_raster_of_very_many_spikes_is_an_image_of_counts_in_the_right_places(monkeypatch):
    """Beyond RASTER_MAX_POINTS spikes the raster is an image (constant cost):
    its coloured cells are where the spikes are, red for E rows, blue for I."""
    import numpy as np

    from stpexplorer.plotting import network

    times = [100.0, 100.0, 700.0]
    neurons = [0, 0, 45]  # the synthetic network: 40 E + 10 I neurons
    result = synthetic_result(neurons, times)
    points = plot_raster(result)
    assert not points.images and points.collections  # few spikes: points
    monkeypatch.setattr(network, "RASTER_MAX_POINTS", 2)
    ax = plot_raster(result)
    (image,) = ax.images
    rgba = image.get_array()
    rows, columns = rgba.shape[:2]
    inked = np.argwhere(rgba[..., 3] > 0)
    n = result.Ne + result.Ni
    expected = {(int((i + 0.5) / n * rows), int(t / result.duration_ms * columns)) for i, t in zip(neurons, times)}
    assert {tuple(rc) for rc in inked} == expected
    exc_cell = rgba[tuple(min(expected))]
    inh_cell = rgba[tuple(max(expected))]
    assert exc_cell[0] > exc_cell[2] and inh_cell[2] > inh_cell[0]  # red E, blue I
    assert exc_cell[3] > inh_cell[3]  # two spikes are darker than one
