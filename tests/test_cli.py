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
        (["--set", "C_m=0"], "C_m=0.0 is invalid (out of range); allowed: [0.01, 1000] pF"),
        (["--set", "C_m=-1"], "C_m=-1.0 is invalid (out of range)"),
    ]
    for args, expected in cases:
        done = run_cli("run", *args, "--out", str(tmp_path / "x"))
        assert done.returncode == 2, (args, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], (args, done.stderr)
    assert not (tmp_path / "x" / "panels.png").exists()


def test_hostile_parameter_files_and_dashboard_options_are_one_line_errors(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 30_000 + "]" * 30_000)  # within the 64 kB limit
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


def run_cli_env(*args, cwd=None, **env):
    import os

    return subprocess.run([sys.executable, "-m", "stpexplorer.cli", *args], capture_output=True,
                          text=True, timeout=600, cwd=cwd, env={**os.environ, **env})


def test_run_refuses_bad_requests_before_announcing_or_doing_work(tmp_path):
    """Budget, seed, a recorded neuron without synapses and an --out that is a
    file are refused first: no "compiling" line, no build, no output."""
    cache = tmp_path / "cache"
    (tmp_path / "a_file").write_text("")
    cases = [
        (["--seed", "-1"], "seed=-1 is invalid"),
        (["--seed", str(2**32)], "seed=4294967296 is invalid"),
        (["--set", "duration=60000", "--set", "N_e=4000"], "exceeds the work limit"),
        (["--set", "p_e=0", "--set", "p_i=0"], "rec_pre=0: this neuron has no outgoing synapse"),
        (["--out", str(tmp_path / "a_file")], "exists and is not a directory"),
        (["--out", str(tmp_path / "a_file" / "sub")], "is inside the file"),
    ]
    for args, expected in cases:
        out = [] if "--out" in args else ["--out", str(tmp_path / "o")]
        done = run_cli_env("run", "--preset", "forum", *args, *out, STPEXPLORER_CACHE=str(cache))
        assert done.returncode == 2, (args, done.stderr)
        assert done.stdout == "", (args, done.stdout)  # nothing announced
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], (args, done.stderr)
    assert not cache.exists() and not (tmp_path / "o").exists()


def test_json_limit_applies_to_params_files(tmp_path):
    """The dashboard's 64 kB limit on parameter files holds for --params too."""
    from stpexplorer.params import MAX_JSON_BYTES

    assert MAX_JSON_BYTES == 64 * 1024
    just = tmp_path / "just.json"
    just.write_text('{"U_0": 0.2}'.ljust(MAX_JSON_BYTES))
    assert Params.from_json(just.read_bytes()).U_0 == 0.2  # exactly 64 kB is accepted
    big = tmp_path / "big.json"
    big.write_text('{"U_0": 0.2}'.ljust(70_000))
    huge = tmp_path / "huge.json"
    huge.write_text('{"U_0": 0.2' + " " * 5_000_000 + "}")
    for path in (big, huge):
        done = run_cli("run", "--preset", "forum", "--params", str(path), "--out", str(tmp_path / "o"))
        assert done.returncode == 2 and done.stdout == ""
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and f"--params {path}" in lines[0] and "limit is 65536 bytes" in lines[0]
    import pytest

    with pytest.raises(ValueError, match="limit is 65536 bytes"):
        Params.from_json(big.read_text())


def test_parameter_file_messages_name_the_file_and_the_field(tmp_path):
    cases = {
        "digits.json": ('{"U_0": ' + "7" * 5000 + "}", "U_0=<integer of 5000 digits> is invalid (out of range)"),
        "latin1.json": ('{"U_0": 0.3, "E_e": "\xe9"}'.encode("latin-1"), "not UTF-8 text (byte 0xe9"),
        "inf.json": ('{"N_e": 1e400}', "N_e=inf is invalid (not finite)"),
    }
    for name, (content, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        done = run_cli("run", "--preset", "forum", "--params", str(path), "--out", str(tmp_path / "o"))
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"stpexplorer: error: --params {path}: "), lines
        assert expected in lines[0], lines


def test_environment_limits_name_the_variable_and_must_be_positive(tmp_path):
    for name in ("STPEXPLORER_MAX_NEURON_STEPS", "STPEXPLORER_MAX_SYNAPSES", "STPEXPLORER_MAX_SECONDS"):
        for value in ("abc", "-1", "0", "nan", "inf"):
            done = run_cli_env("run", "--preset", "forum", "--out", str(tmp_path / "o"),
                               STPEXPLORER_CACHE=str(tmp_path / "cache"), **{name: value})
            assert done.returncode == 2 and done.stdout == "", (name, value, done.stdout)
            lines = done.stderr.strip().splitlines()
            assert len(lines) == 1 and f"{name}={value!r} is invalid; allowed: a positive number" in lines[0], \
                (name, value, lines)
    assert not (tmp_path / "cache").exists()


def test_sweep_options_are_checked_before_a_cluster_starts(tmp_path):
    (tmp_path / "a_file").write_text("")
    cases = [
        (["--workers", "-1"], "--workers -1 is invalid"),
        (["--workers", "0"], "--workers 0 is invalid"),
        (["--seeds", "0"], "--seeds 0 is invalid"),
        (["--seeds", "-3"], "--seeds -3 is invalid"),
        (["--grid", "U_0=0.1:0.9:-2"], "count=-2 is invalid"),
        (["--grid", "U_0=a:b:3"], "U_0='a' is invalid"),
        (["--out", str(tmp_path / "a_file")], "exists and is not a directory"),
    ]
    for args, expected in cases:
        grid = [] if "--grid" in args else ["--grid", "U_0=0.2,0.6"]
        out = [] if "--out" in args else ["--out", str(tmp_path / "o")]
        done = subprocess.run([sys.executable, "-m", "stpexplorer.cli", "sweep", "--preset", "forum",
                               *grid, *args, *out], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, (args, done.stderr[-500:])
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], (args, done.stderr[-500:])
    assert not (tmp_path / "o").exists()


def test_help_describes_the_commands_and_options_plainly():
    top = run_cli("--help")
    assert top.returncode == 0
    assert "``" not in top.stdout and "Command line:" not in top.stdout
    assert "sweep" in top.stdout.split("positional arguments")[0]  # in the description too
    run_help = " ".join(run_cli("run", "--help").stdout.split())
    assert "--seed SEED random seed" in run_help
    assert "'stpexplorer params' lists the field names" in run_help
    assert "at most 64 kB" in run_help
    sweep_help = " ".join(run_cli("sweep", "--help").stdout.split())
    assert "'stpexplorer params' lists the field names" in sweep_help


def test_run_npz_holds_the_simulated_result(tmp_path, build_cache, engine):
    """The CLI's result.npz, decoded, is the Result of the same parameters and seed."""
    from contract import assert_npz_holds_result
    from stpexplorer import simulate

    out = tmp_path / "out"
    done = run_cli("run", "--preset", "forum", "--set", "U_0=0.3", "--seed", "2", "--out", str(out))
    assert done.returncode == 0, done.stderr
    expected = simulate(presets.FORUM.replace(U_0=0.3), seed=2, engine=engine)
    assert_npz_holds_result(out / "result.npz", expected)
