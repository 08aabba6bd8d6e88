"""Documented contracts of the public names: ``stpexplorer.simulate`` stays
a function, the light CLI commands stay light, and a recorded synapse that
does not exist is a ``ValueError`` naming ``rec_post`` before any compile."""

from __future__ import annotations

import subprocess
import sys

import pytest

from stpexplorer import StandaloneEngine, presets, simulate

#: the module paths of an earlier layout, removed (importing one rebound ``stpexplorer.simulate``)
OLD_MODULES = ("app", "labapp", "runner", "serve", "simulate")


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_simulate_stays_callable_whatever_is_imported():
    said = _python(
        "import importlib, stpexplorer\n"
        f"for name in {OLD_MODULES!r}:\n"
        "    try:\n"
        "        importlib.import_module('stpexplorer.' + name)\n"
        "        print('importable', name)\n"
        "    except ModuleNotFoundError:\n"
        "        pass\n"
        "from stpexplorer import simulate\n"
        "print('callable' if callable(simulate) else 'not callable')\n")
    assert said.split() == ["callable"], said


@pytest.mark.parametrize("command", [["params"], ["presets"], ["--help"]])
def test_light_commands_do_not_import_the_dashboard_or_the_simulator(command):
    said = _python(
        "import sys\n"
        "from stpexplorer.cli import main\n"
        "try:\n"
        f"    main({command!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('ipywidgets', 'matplotlib', 'ipympl', 'brian2', 'scipy') if m in sys.modules]\n"
        "print('HEAVY', *heavy)\n")
    assert said.splitlines()[-1].split() == ["HEAVY"], said.splitlines()[-1]


def test_a_missing_recorded_synapse_is_refused_before_compiling(tmp_path):
    engine = StandaloneEngine(cache=tmp_path, isolate_build=True)
    params = presets.FORUM.replace(rec_pre=0, rec_post=40)  # 0 -> 40 is not connected for seed 2
    with pytest.raises(ValueError, match=r"rec_post=40: there is no synapse 0 -> 40"):
        simulate(params, seed=2, engine=engine)
    assert engine.compiles == 0
    assert not any(tmp_path.iterdir())  # no build started
