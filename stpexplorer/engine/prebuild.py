"""Compile the presets' network structures before anyone asks for them.

``stpexplorer dashboard`` runs this module in the background at low priority
(``python -m stpexplorer.engine.prebuild``), so a preset chosen on a fresh
install answers from a compiled build instead of waiting for the compiler.
A structure already built is skipped; one a page asks for meanwhile is
compiled once (the build lock), whoever asks first.
"""

from __future__ import annotations

import argparse
import os
import sys

from .. import presets

#: Niceness of the background compiles: below every page's own work.
PREBUILD_NICENESS = 19
#: The seed a page starts with (the Network tab's default): the structure a preset opens with.
PAGE_SEED = 0


def prebuild(names=None, engine=None, say=print) -> list[str]:
    """Compile (and run once) every preset of ``names`` (default: all) whose
    structure is not built yet; returns the names compiled.  A preset that
    fails is reported and skipped."""
    from . import StandaloneEngine, simulate

    engine = engine if engine is not None else StandaloneEngine(isolate_build=True)
    compiled = []
    for name in names or list(presets.PRESETS):
        params = presets.get(name)
        if engine.preparation(params, PAGE_SEED) != "compile":
            continue
        try:
            simulate(params, seed=PAGE_SEED, engine=engine)
        except (ValueError, RuntimeError, OSError) as exc:
            say(f"stpexplorer: preset {name!r} was not compiled ahead: {exc}")
            continue
        compiled.append(name)
        say(f"stpexplorer: preset {name!r} compiled")
    return compiled


def command(names=()) -> list[str]:
    """The command line that runs :func:`prebuild` in another process."""
    return [sys.executable, "-m", __name__, *names]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stpexplorer.engine.prebuild", description=__doc__)
    parser.add_argument("presets", nargs="*", metavar="PRESET", help="presets to compile (default: all)")
    args = parser.parse_args(argv)
    try:
        os.nice(PREBUILD_NICENESS - os.nice(0))
    except OSError:
        pass
    for name in args.presets:
        presets.get(name)  # an unknown name is an error before any compile
    prebuild(args.presets or None, say=lambda text: print(text, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
