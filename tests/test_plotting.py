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
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    caption = " ".join(readme.split("![panels")[1].split("## Quick start")[0].split())
    assert "orange ticks" in caption and "recorded neuron" in caption
    assert "presynaptic neuron of the recorded synapse" in caption
