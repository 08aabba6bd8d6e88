"""Downloads of the network tab, received by the browser as files: the
figure (PNG), the run's data (npz, the same arrays as simulate() gives for the
page's parameters and seed) and the network as a Brian2 script."""

from __future__ import annotations

import ast

import numpy as np
import pytest

from pages import REDRAW_TIMEOUT_S

pytestmark = pytest.mark.browser

TIMING_PREFIX = "downloads."


def _download(dash, css: str, tmp_path):
    with dash.page.expect_download() as info:
        dash.page.locator(f"a.{css}").click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return path


def test_figure_data_and_script_download_as_files(dash, tmp_path):
    from stpexplorer import Params, StandaloneEngine, simulate

    dash.settle()
    params = Params.from_dict(dash.param_json())
    dash.page.locator(".stpx-export").click()
    dash.poll(lambda: dash.page.locator("a.stpx-link-script").count() == 1, REDRAW_TIMEOUT_S,
              "the download links")

    png = _download(dash, "stpx-link-png", tmp_path)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and png.stat().st_size > 10_000

    npz = _download(dash, "stpx-link-npz", tmp_path)
    with np.load(npz) as data:
        seed = int(data["seed"])
        expected = simulate(params, seed=seed, engine=StandaloneEngine())
        for name in ("spike_i", "spike_t_ms", "v_mV", "ge_nS", "u_at_spikes", "x_at_spikes", "r_at_spikes"):
            np.testing.assert_array_equal(data[name], getattr(expected, name), err_msg=name)

    script = _download(dash, "stpx-link-script", tmp_path)
    assert script.name == f"stpexplorer-seed{seed}.py"
    tree = ast.parse(script.read_text())  # valid Python
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])}
    assert "brian2" in imported and "stpexplorer" not in imported, imported
