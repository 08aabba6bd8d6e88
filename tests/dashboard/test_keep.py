"""The Network tab's "Keep and share" part: parameter file, figure and data downloads."""

import base64
import io
import json

from contract import assert_npz_holds_result
from stpexplorer import presets
from stpexplorer.dashboard.keep import MAX_UPLOAD_BYTES


def test_params_json_download_upload_round_trip_and_limits(explorer):
    href = explorer.param_link.value.split('href="')[1].split('"')[0]
    data = json.loads(base64.b64decode(href.split("base64,")[1]))
    assert data == presets.FORUM.to_dict()
    data["U_0"] = 0.25
    explorer.load_params_json(json.dumps(data).encode())
    assert explorer.wait(60) and explorer.controls["U_0"].value == 0.25
    explorer.load_params_json(b"{" + b" " * MAX_UPLOAD_BYTES + b"}")
    assert "limit is" in explorer.error.value
    explorer.load_params_json(b'{"U_0": 7}')
    assert "U_0=7" in explorer.error.value and explorer.controls["U_0"].value == 0.25


def test_value_beyond_the_slider_range_is_kept_not_clamped(explorer):
    explorer.load_params_json(json.dumps({**presets.FORUM.to_dict(), "w_e": 50.0}).encode())
    assert explorer.controls["w_e"].value == 50.0


def test_exports_png_and_npz(explorer):
    explorer.export.click()
    html = explorer.export_links.value
    png = base64.b64decode(html.split("data:image/png;base64,")[1].split('"')[0])
    assert png.startswith(b"\x89PNG")
    npz = base64.b64decode(html.split("data:application/octet-stream;base64,")[1].split('"')[0])
    assert_npz_holds_result(io.BytesIO(npz), explorer.result)
