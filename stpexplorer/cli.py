"""Command line: ``stpexplorer run | sweep | fit | presets | params | export-script | validate | cache | dashboard``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import params as params_mod
from . import presets
from .dashboard.serve import DEFAULT_KERNEL_TIMEOUT_S
from .fit.data import MAX_SIZE_TEXT as FIT_FILE_LIMIT


def _parse_set(items: list[str]) -> dict:
    changes = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"--set expects FIELD=VALUE, got {item!r}")
        name, value = item.split("=", 1)
        name = name.strip()
        params_mod.field_info(name)
        changes[name] = params_mod.coerce(name, value)
    return changes


DESCRIPTION = ("An Izhikevich (2003) spiking network with Tsodyks-Markram short-term plasticity, "
               "simulated with Brian2: run one simulation, sweep a parameter grid, fit the "
               "plasticity to recorded responses, list the presets and parameters, export the "
               "network as a Brian2 script, check the model against NEST and closed forms, or serve the dashboard.  "
               "'stpexplorer COMMAND --help' describes a command.")


def _read_params_file(name: str, base):
    """Parameters from a ``--params`` JSON file over ``base``; errors name the
    file (a FIFO, device or directory is refused without blocking)."""
    try:
        return params_mod.Params.from_file(name, base)
    except ValueError as exc:
        raise ValueError(f"--params {exc}") from None


def _check_out_dir(name: str) -> Path:
    """Refuse an ``--out`` that cannot become a directory, before any work."""
    from .engine.build_cache import nearest_existing

    out = Path(name)
    existing = nearest_existing(out)
    if not existing.is_dir():
        what = "exists and is not a directory" if existing == out else f"is inside the file {existing}"
        raise ValueError(f"--out {name} {what}; give a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"--out {name}: {existing} is not writable")
    return out


def cmd_run(args) -> int:
    from .engine import check_request, simulate

    base = presets.get(args.preset)
    if args.params:
        base = _read_params_file(args.params, base)
    params = params_mod.Params.from_dict(_parse_set(args.set), base)
    seed = check_request(params, args.seed)  # budget, seed, recorded synapse: before any work
    out = _check_out_dir(args.out)
    _say_preparation(params, seed)
    result = simulate(params, seed=seed)

    from .plotting import plot_panels

    out.mkdir(parents=True, exist_ok=True)
    fig, _ = plot_panels(result)
    fig.savefig(out / "panels.png", dpi=110)
    result.to_npz(out / "result.npz")
    (out / "params.json").write_text(params.to_json())
    print(f"{result.summary()}\nwrote {out / 'panels.png'}, {out / 'result.npz'}, {out / 'params.json'}")
    return 0


def _say_preparation(params, seed: int) -> None:
    """Tell the user before a run that first compiles or loads a network structure."""
    from .engine import preparation
    from .engine.compile import COMPILE_TIME_TEXT

    step = preparation(params, seed)
    if step == "compile":
        print(f"compiling the network for this structure (first time: {COMPILE_TIME_TEXT}) ...", flush=True)
    elif step == "load":
        print("loading the compiled network ...", flush=True)


def cmd_presets(args) -> int:
    width = max(map(len, presets.PRESETS))
    for name in presets.PRESETS:
        print(f"{name:<{width}}  {presets.DESCRIPTIONS[name]}")
    return 0


def cmd_params(args) -> int:
    print(params_mod.markdown_table())
    return 0


def cmd_sweep(args) -> int:
    from . import sweep as sweep_mod

    base = params_mod.Params.from_dict(_parse_set(args.set), presets.get(args.preset))
    grid = dict(sweep_mod.parse_grid(spec) for spec in args.grid)
    if not grid:
        raise ValueError("give at least one --grid FIELD=START:STOP:COUNT")
    if not 1 <= args.seeds <= MAX_SWEEP_SEEDS:
        raise ValueError(f"--seeds {args.seeds} is invalid; allowed: 1..{MAX_SWEEP_SEEDS}")
    if not args.scheduler and not 1 <= args.workers <= MAX_LOCAL_WORKERS:
        raise ValueError(f"--workers {args.workers} is invalid; allowed: 1..{MAX_LOCAL_WORKERS} "
                         f"local worker processes")
    out = _check_out_dir(args.out)
    out.mkdir(parents=True, exist_ok=True)
    client = None
    if args.scheduler:
        from dask.distributed import Client

        client = Client(args.scheduler)
    else:
        client = sweep_mod.local_client(args.workers)
    try:
        rows = sweep_mod.sweep(base, grid, seeds=range(args.seeds), client=client,
                               results_dir=out / "rows")
    finally:
        if client is not None:
            cluster = getattr(client, "cluster", None)
            client.close()
            if cluster is not None and not args.scheduler:
                cluster.close()
    sweep_mod.write_csv(rows, out / "sweep.csv")
    pictures = sweep_mod.heatmaps(rows, grid, out)
    failed = sum(1 for r in rows if r["error"])
    retry = sum(1 for r in rows if r.get("status") == "retry")
    print(f"{len(rows)} runs ({failed} with an error or divergence); wrote {out / 'sweep.csv'} and "
          f"{len(pictures)} pictures")
    if retry:
        print(f"{retry} runs failed for a reason a re-run may not repeat (status 'retry', not stored): "
              f"the same command computes them again")
    return 0


#: Bounds of ``sweep --seeds`` and ``--workers`` (checked before a cluster starts).
MAX_SWEEP_SEEDS = 1000
MAX_LOCAL_WORKERS = 64


def cmd_fit(args) -> int:
    from . import fit as fit_mod

    trains = fit_mod.load_csv(args.data)
    result = fit_mod.fit_stp(trains, seed=args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    axes = fit_mod.plot_fit(result, trains)
    axes[0].figure.savefig(out / "fit.png", dpi=110)
    (out / "fit.json").write_text(result.params_json() + "\n")
    (out / "fit_report.json").write_text(json.dumps(result.to_dict(), indent=1) + "\n")
    print(result.format_table())
    print(f"wrote {out / 'fit.png'}, {out / 'fit.json'} (U_0, Omega_f, Omega_d for "
          f"'stpexplorer run --params') and {out / 'fit_report.json'} (intervals, warnings)")
    return 0


def cmd_export_script(args) -> int:
    from .export import brian2_script

    base = presets.get(args.preset)
    if args.params:
        base = _read_params_file(args.params, base)
    params = params_mod.Params.from_dict(_parse_set(args.set), base)
    text = brian2_script(params, args.seed, preset=args.preset)
    if not args.out or args.out == "-":
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    if out.is_dir():
        raise ValueError(f"--out {args.out} is a directory; give a file name such as network.py")
    out.write_text(text)
    print(f"wrote {out} (run it with: python {out})")
    return 0


def cmd_validate(args) -> int:
    out = _check_out_dir(args.out)
    from .validation import run_validation

    summary = run_validation(out, quick=args.quick)
    print(f"wrote {out / 'report.md'} (with its figures) and {out / 'summary.json'}; NEST: {summary['nest']}")
    if not summary["passed"]:
        print("stpexplorer: validation failed: see the rows marked fail or error", file=sys.stderr)
        return 1
    return 0


def cmd_dashboard(args) -> int:
    from .dashboard.serve import serve

    return serve(port=args.port, open_browser=not args.no_browser, pool_size=args.pool_size,
                 ip=args.ip, kernel_timeout=args.kernel_timeout, prebuild=not args.no_prebuild)


def cmd_cache(args) -> int:
    from .engine import cache_admin

    if args.clear:
        return _clear_cache(cache_admin)
    builds = cache_admin.list_builds()
    limit = cache_admin.describe_limit(builds)  # refuses an invalid STPEXPLORER_CACHE_MB before the table
    places = ", ".join(map(str, cache_admin.cache_places()))
    if not builds:
        print(f"no builds in {places}")
        return 0
    print(f"{'size MB':>8}  {'last use':<16}  {'state':<12}  structure")
    for info in builds:
        print(f"{info.size_mb:8.1f}  {cache_admin.time_text(info.last_use):<16}  {_build_state(info):<12}  "
              f"{info.summary()}")
    print(f"{_builds(len(builds))} in {places}: {limit}")
    for info in builds:
        if info.in_use:
            print(f"in use: {info.path.name}: {info.in_use}")
    return 0


def _build_state(info) -> str:
    if info.in_use:
        return "in use"
    if not info.removable:
        return "read-only"
    return "complete" if info.complete else "incomplete"


def _builds(count: int) -> str:
    return f"{count} build{'' if count == 1 else 's'}"


def _clear_cache(cache_admin) -> int:
    removed, kept = cache_admin.clear()
    freed = sum(info.size_bytes for info in removed) / cache_admin.MB
    places = ", ".join(map(str, cache_admin.cache_places()))
    print(f"removed {_builds(len(removed))} ({freed:.1f} MB) from {places}")
    for info, reason in kept:
        print(f"kept {info.path.name} ({info.size_mb:.1f} MB): {reason}")
    return 0


SET_HELP = ("change one parameter, e.g. U_0=0.3; repeatable; 'stpexplorer params' lists the "
            "field names, units and allowed ranges")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stpexplorer", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="simulate and write panels.png, result.npz, params.json")
    run.add_argument("--preset", default="default", help="starting parameter set (see 'presets')")
    run.add_argument("--params", help="JSON file with parameters, applied over the preset (UTF-8, at most 64 kB)")
    run.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                     help=SET_HELP)
    run.add_argument("--seed", type=int, default=0,
                     help="random seed of heterogeneity, connectivity and noise, 0 <= SEED < 2**32 "
                          "(default: 0)")
    run.add_argument("--out", required=True, help="output directory")
    run.set_defaults(func=cmd_run)

    sub.add_parser("presets", help="list the presets").set_defaults(func=cmd_presets)
    sub.add_parser("params", help="print the parameter table (markdown)").set_defaults(func=cmd_params)

    sw = sub.add_parser("sweep", help="run a parameter grid on Dask; write sweep.csv and heatmaps")
    sw.add_argument("--preset", default="default")
    sw.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help=SET_HELP)
    sw.add_argument("--grid", action="append", default=[], metavar="FIELD=START:STOP:COUNT",
                    help="a grid axis (also FIELD=V1,V2,...); repeatable")
    sw.add_argument("--seeds", type=int, default=1,
                    help=f"seeds 0..N-1 per grid point, N in 1..{MAX_SWEEP_SEEDS} (default: 1)")
    sw.add_argument("--scheduler", help="address of an existing Dask scheduler (default: a local cluster)")
    sw.add_argument("--workers", type=int, default=2,
                    help=f"local worker processes without --scheduler, 1..{MAX_LOCAL_WORKERS} (default: 2)")
    sw.add_argument("--out", required=True)
    sw.set_defaults(func=cmd_sweep)

    fp = sub.add_parser("fit", help="fit U_0, Omega_f, Omega_d to recorded response amplitudes; "
                                    "write fit.png, fit.json")
    fp.add_argument("data", metavar="DATA.csv",
                    help="CSV with a header and the columns spike_time_ms, amplitude and optionally "
                         f"train (UTF-8, at most {FIT_FILE_LIMIT}; empty amplitude or nan: missed response)")
    fp.add_argument("--out", default=".", help="output directory (default: the current directory)")
    fp.add_argument("--seed", type=int, default=0, help="seed of the random starting points (default: 0)")
    fp.set_defaults(func=cmd_fit)

    ex = sub.add_parser("export-script", help="write the network as a standalone Brian2 script "
                                              "(Brian2, numpy and matplotlib only)")
    ex.add_argument("--preset", default="default", help="starting parameter set (see 'presets')")
    ex.add_argument("--params", help="JSON file with parameters, applied over the preset (UTF-8, at most 64 kB)")
    ex.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help=SET_HELP)
    ex.add_argument("--seed", type=int, default=0,
                    help="random seed of heterogeneity, connectivity and noise, drawn in the script "
                         "as stpexplorer draws them (default: 0)")
    ex.add_argument("--out", help="file to write (default: print the script)")
    ex.set_defaults(func=cmd_export_script)

    va = sub.add_parser("validate", help="conformance checks against NEST and closed forms; write a report "
                                         "(report.md with figures) and summary.json; exit status 0 only if "
                                         "every check that could run passed")
    va.add_argument("--out", default="validation", help="output directory (default: ./validation)")
    va.add_argument("--quick", action="store_true",
                    help="small networks and few seeds (under a minute); the default runs the 1000-neuron "
                         "networks over 8 seeds")
    va.set_defaults(func=cmd_validate)

    ca = sub.add_parser("cache", help="list the compiled networks in the build cache (size, last use, "
                                      "structure) and the total against STPEXPLORER_CACHE_MB")
    ca.add_argument("--clear", action="store_true",
                    help="remove every build that no running process uses (and say which were kept and why)")
    ca.set_defaults(func=cmd_cache)

    dash = sub.add_parser("dashboard", help="serve the explorer with Voila")
    dash.add_argument("--port", type=int, default=8866)
    dash.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    dash.add_argument("--ip", default="127.0.0.1",
                      help="address to listen on: 127.0.0.1 (this machine, default) or 0.0.0.0 "
                           "(every interface, e.g. a class network; there is no login)")
    dash.add_argument("--pool-size", type=int, default=1,
                      help="preheated kernels kept ready (each ~0.15 GB; one per expected simultaneous "
                           "arrival; default: 1)")
    dash.add_argument("--kernel-timeout", type=int, default=DEFAULT_KERNEL_TIMEOUT_S, metavar="SECONDS",
                      help="shut down the kernel of a page that is gone (closed, browser killed, network "
                           "lost) after SECONDS without connection or activity, 5..86400 (default: "
                           f"{DEFAULT_KERNEL_TIMEOUT_S}); an open page keeps its kernel however long it idles")
    dash.add_argument("--no-prebuild", action="store_true",
                      help="do not compile the presets' network structures in the background at start "
                           "(by default each preset not built yet is compiled once, at low priority)")
    dash.set_defaults(func=cmd_dashboard)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, RuntimeError, OSError) as exc:
        print(f"stpexplorer: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if getattr(args, "command", None) == "sweep":
            print("stpexplorer: interrupted; finished rows are stored and the same command resumes",
                  file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
