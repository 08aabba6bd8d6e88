"""The exported Brian2 script: standalone, readable, and the same network as simulate()."""

import ast
import os
import subprocess
import sys

import numpy as np
import pytest

from stpexplorer import cli, export, presets, simulate


def _run_script(path, *args):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True, env=env,
                          cwd=path.parent, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _imports(text: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("preset, seed", [("forum", 1), ("default", 0), ("tsodyks2000", 0)])
def test_exported_script_gives_the_spikes_of_simulate(tmp_path, runtime, preset, seed):
    script = tmp_path / "network.py"
    assert cli.main(["export-script", "--preset", preset, "--set", "duration=200", "--seed", str(seed),
                     "--out", str(script)]) == 0
    text = script.read_text()
    assert _imports(text) <= {"argparse", "math", "matplotlib", "numpy", "brian2"}
    _run_script(script, "--save-spikes", "spikes.npz", "--no-plot")
    with np.load(tmp_path / "spikes.npz") as data:
        order = np.lexsort((data["i"], data["t_ms"]))
        spike_i, spike_t = data["i"][order], data["t_ms"][order]
    expected = simulate(presets.get(preset).replace(duration=200.0), seed=seed, engine=runtime)
    assert len(expected.spike_i) > 20
    np.testing.assert_array_equal(spike_i, expected.spike_i)
    np.testing.assert_array_equal(spike_t, expected.spike_t_ms)


def test_script_reads_like_a_brian2_example_and_draws_its_panels(tmp_path):
    params = presets.FORUM.replace(duration=100.0)
    text = export.brian2_script(params, 0, preset="forum")
    for line in ("U_0 = 0.6", "Omega_f = 3.33/second", "w_e = 0.05*nS", "C_m = 1*pF",
                 "u_S += U_0*(1 - u_S)", "r_S = u_S*x_S", "x_S -= r_S",
                 "I_syn = (ge*(E_e - v) + gi*(E_i - v))/C_m", 'when="after_synapses"',
                 '# set_device("cpp_standalone"', 'prefs.codegen.target = "numpy"', "run(duration)"):
        assert line in text, line
    assert "U_0_ee" not in text  # no per-pathway values: the shared ones
    # every parameter line carries a comment
    block = text.split("# Parameters")[1].split("# Random realisation")[0]
    for line in block.splitlines():
        if " = " in line and not line.startswith("#"):
            assert "# " in line, line
    script = tmp_path / "forum.py"
    script.write_text(text)
    _run_script(script)  # the panels, on matplotlib's Agg backend


def test_per_pathway_values_appear_where_set():
    text = export.brian2_script(presets.TSODYKS_2000.replace(duration=100.0), 0)
    assert "U_0_ei = 0.04" in text and "Omega_d_ee = 1.25/second" in text
    assert "syn_exc.U_0['j >= N_e'] = U_0_ei" in text and "syn_inh.Omega_f['j < N_e'] = Omega_f_ie" in text
    assert "U_0 : 1 (constant)" in text


def test_current_pulses_without_stp_and_recorded_synapse_checks():
    text = export.brian2_script(presets.IZHIKEVICH_2003.replace(N_e=40, N_i=10, duration=100.0), 0)
    assert 'v_post += w*(1 - jitter*zeta)\n' in text and "syn_exc.w = J_e" in text and "u_S" not in text
    with pytest.raises(ValueError, match="no synapse 0 -> 0"):
        export.brian2_script(presets.FORUM.replace(rec_post=0), 0)
    with pytest.raises(ValueError, match="seed"):
        export.brian2_script(presets.FORUM, -1)


def test_cli_prints_the_script_and_refuses_bad_values(capsys, tmp_path):
    assert cli.main(["export-script", "--preset", "forum"]) == 0
    assert capsys.readouterr().out.startswith("#!/usr/bin/env python")
    assert cli.main(["export-script", "--set", "U_0_ee=3"]) == 2
    assert "U_0_ee=3.0 is invalid" in capsys.readouterr().err
    assert cli.main(["export-script", "--out", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
