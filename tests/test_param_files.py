"""Hostile parameter files: a key given twice, a FIFO or other non-regular
file.  Each is refused with a message naming the key or the file, never
accepted with one value silently dropped and never a hang."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from stpexplorer import presets
from stpexplorer.params import MAX_JSON_BYTES, Params


@pytest.mark.parametrize("text, key", [
    ('{"U_0": 5.0, "U_0": 0.5}', "U_0"),  # the second value would win without the check
    ('{"U_0": 0.5, "N_e": 40, "U_0": 0.5}', "U_0"),  # even with the same value twice
    ('{"Omega_f": 1.0, "Omega_d": 2.0, "Omega_d": 3.0}', "Omega_d"),
])
def test_a_key_given_twice_is_refused_naming_the_key(text, key):
    with pytest.raises(ValueError, match=rf"the key '{key}' is given twice"):
        Params.from_json(text)
    with pytest.raises(ValueError, match=rf"the key '{key}' is given twice"):
        Params.from_json(text.encode())


def test_a_file_with_a_key_given_twice_is_refused_naming_file_and_key(tmp_path):
    path = tmp_path / "twice.json"
    path.write_text('{"U_0": 5.0,\n "U_0": 0.5}')
    with pytest.raises(ValueError, match=rf"^{path}: the key 'U_0' is given twice \(5.0 and 0.5\)"):
        Params.from_file(path)


def test_a_regular_file_is_read_over_the_base(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"U_0": 0.25, "N_e": 40}))
    params = Params.from_file(path, presets.FORUM)
    assert (params.U_0, params.N_e, params.Omega_f) == (0.25, 40, presets.FORUM.Omega_f)
    assert Params.from_file(str(path)) == Params.from_json(path.read_text())


def test_files_that_are_not_regular_are_refused(tmp_path):
    with pytest.raises(ValueError, match=rf"^{tmp_path}: this is a directory; give a regular JSON file"):
        Params.from_file(tmp_path)
    with pytest.raises(ValueError, match=r"^/dev/null: this is a character device"):
        Params.from_file("/dev/null")
    with pytest.raises(ValueError, match=r"missing.json: cannot read the file \(No such file or directory\)"):
        Params.from_file(tmp_path / "missing.json")
    big = tmp_path / "big.json"
    big.write_text("{}".ljust(MAX_JSON_BYTES + 1))
    with pytest.raises(ValueError, match=rf"^{big}: the file is {MAX_JSON_BYTES + 1} bytes; the limit is"):
        Params.from_file(big)


# A FIFO without a writer blocks a plain open() for ever: these run in a
# subprocess with a timeout, so a regression fails instead of hanging the suite.
_LOAD_FIFO = textwrap.dedent("""
    import os, sys
    from stpexplorer.params import Params
    fifo, regular, race = sys.argv[1], sys.argv[2], sys.argv[3] == "race"
    if race:  # the FIFO replaces a regular file between the check and the open
        real_stat = os.stat
        os.stat = lambda path, *a, **k: real_stat(regular if str(path) == fifo else path, *a, **k)
    try:
        Params.from_file(fifo)
    except ValueError as exc:
        print(exc)
    else:
        print("accepted")
""")


@pytest.mark.parametrize("race", [False, True], ids=["fifo", "fifo swapped in after the check"])
def test_a_fifo_is_refused_without_hanging(tmp_path, race):
    fifo, regular = tmp_path / "params.json", tmp_path / "regular.json"
    os.mkfifo(fifo)
    regular.write_text("{}")
    try:
        done = subprocess.run([sys.executable, "-c", _LOAD_FIFO, str(fifo), str(regular),
                               "race" if race else "plain"], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("reading a FIFO as a parameter file hangs")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == f"{fifo}: this is a named pipe (FIFO); give a regular JSON file"


def test_cli_refuses_a_parameter_file_with_a_key_given_twice(tmp_path):
    path = tmp_path / "twice.json"
    path.write_text('{"U_0": 5.0, "U_0": 0.5}')
    done = subprocess.run([sys.executable, "-m", "stpexplorer.cli", "run", "--params", str(path),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "the key 'U_0' is given twice" in done.stderr and str(path) in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["run", "export-script"])
def test_cli_refuses_a_fifo_as_params_without_hanging(tmp_path, command):
    fifo = tmp_path / "params.json"
    os.mkfifo(fifo)
    args = [sys.executable, "-m", "stpexplorer.cli", command, "--params", str(fifo)]
    if command == "run":
        args += ["--out", str(tmp_path / "out")]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"'stpexplorer {command} --params FIFO' blocked")
    assert done.returncode == 2
    assert f"--params {fifo}: this is a named pipe (FIFO)" in done.stderr, done.stderr
