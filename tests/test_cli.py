import json
import subprocess
import sys

import numpy as np

from stpexplorer import Params, presets
from stpexplorer.results import CONTRACT


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "stpexplorer.cli", *args], capture_output=True,
                          text=True, timeout=600)


def test_run_writes_panels_npz_and_params(tmp_path, build_cache):
    out = tmp_path / "out"
    done = run_cli("run", "--preset", "forum", "--set", "U_0=0.3", "--set", "w_e=0.06",
                   "--seed", "0", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "warning" not in done.stderr.lower(), done.stderr
    png = (out / "panels.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20000
    params = Params.from_json((out / "params.json").read_text())
    assert params == presets.FORUM.replace(U_0=0.3, w_e=0.06)
    with np.load(out / "result.npz") as data:
        assert set(CONTRACT) <= set(data.files)
        assert len(data["u_at_spikes"]) == len(data["syn_spike_t_ms"]) > 0
        assert json.loads(str(data["params_json"]))["U_0"] == 0.3


def test_params_file_is_applied_over_the_preset(tmp_path, build_cache):
    (tmp_path / "p.json").write_text(json.dumps({"U_0": 0.2}))
    done = run_cli("run", "--preset", "forum", "--params", str(tmp_path / "p.json"), "--out",
                   str(tmp_path / "o"))
    assert done.returncode == 0, done.stderr
    assert Params.from_json((tmp_path / "o" / "params.json").read_text()).U_0 == 0.2


def test_errors_print_one_clear_line_and_exit_nonzero(tmp_path):
    cases = [
        (["--set", "U_0=2"], "U_0=2.0 is invalid (out of range); allowed: [0.001, 1]"),
        (["--set", "bogus=1"], "unknown parameter: bogus"),
        (["--set", "w_e"], "--set expects FIELD=VALUE"),
        (["--preset", "nope"], "unknown preset 'nope'"),
        (["--set", "N_e=abc"], "N_e='abc' is invalid (not a number)"),
    ]
    for args, expected in cases:
        done = run_cli("run", *args, "--out", str(tmp_path / "x"))
        assert done.returncode == 2, (args, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], (args, done.stderr)
    assert not (tmp_path / "x" / "panels.png").exists()


def test_hostile_parameter_files_and_dashboard_options_are_one_line_errors(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    huge = tmp_path / "huge.json"
    huge.write_text('{"U_0": 1' + "0" * 400 + "}")
    cases = [
        (["run", "--params", str(deep), "--out", str(tmp_path / "x")], "nested too deeply"),
        (["run", "--params", str(huge), "--out", str(tmp_path / "x")], "U_0=1000"),
        (["dashboard", "--no-browser", "--ip", "everyone"], "ip='everyone' is invalid"),
        (["dashboard", "--no-browser", "--port", "0"], "port=0 is invalid"),
    ]
    for args, expected in cases:
        done = run_cli(*args)
        assert done.returncode == 2, (args, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], (args, done.stderr)


def test_run_says_when_it_compiles_a_new_structure(tmp_path):
    import os

    env = {**os.environ, "STPEXPLORER_CACHE": str(tmp_path / "cache")}
    args = ["run", "--preset", "forum", "--set", "duration=100", "--out", str(tmp_path / "o")]
    first = subprocess.run([sys.executable, "-m", "stpexplorer.cli", *args], capture_output=True,
                           text=True, timeout=600, env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("compiling the network"), first.stdout
    again = subprocess.run([sys.executable, "-m", "stpexplorer.cli", *args], capture_output=True,
                           text=True, timeout=600, env=env)
    assert again.stdout.startswith("loading the compiled network"), again.stdout


def test_presets_lists_every_preset_with_one_line():
    done = run_cli("presets")
    assert done.returncode == 0
    lines = done.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(presets.PRESETS)


def test_params_prints_the_generated_table():
    done = run_cli("params")
    assert done.returncode == 0
    assert "`U_0`" in done.stdout and "`Omega_d`" in done.stdout
