"""Sphinx configuration of the stpexplorer documentation.

Build:  bash scripts/docs.sh   (or: python -m sphinx -W -b html docs docs/_build/html)

The build is offline: MathJax comes from sphinx-mathjax-offline, the theme (furo)
uses the system's fonts, nothing is fetched (no intersphinx). Two pages are made
at build time: the conformance report (``stpexplorer validate --quick``, or the
report in $STPEXPLORER_DOCS_VALIDATION when that names a finished one) and the
example gallery (sphinx-gallery runs ``examples/plot_*.py``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from sphinx.util import logging

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
GENERATED = DOCS / "_generated"
sys.path.insert(0, str(ROOT))

# The example pages run on Brian2's numpy target: no compiler needed, and a seed
# gives the same spikes as the compiled network (tests/test_network.py,
# test_runtime_and_standalone_targets_agree).
ENGINE_GIVEN = os.environ.get("STPEXPLORER_ENGINE")
os.environ.setdefault("STPEXPLORER_ENGINE", "runtime")
os.environ.setdefault("MPLBACKEND", "agg")

project = "stpexplorer"
author = "the stpexplorer authors"
copyright = "the stpexplorer authors; MIT licence"
release = "0.1.0"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.json", "auto_examples/*.md5"]

# MyST: $…$ and $$…$$ math, ::: fences, heading anchors for links within pages
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 4
# The notebook is the dashboard itself: shown with its code, not executed (its output is live widgets).
nb_execution_mode = "off"

html_theme = "furo"
html_title = "stpexplorer"
html_static_path = []
html_show_sourcelink = False
# furo's default stack is the system's fonts: no web fonts to fetch
html_theme_options = {"navigation_with_keys": True}

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
napoleon_google_docstring = True
napoleon_numpy_docstring = True

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_signature": False,
    "min_reported_time": 60,
    "write_computation_times": False,  # its page loads jQuery and DataTables from CDNs
    "within_subsection_order": "ExampleTitleSortKey",
    "image_scrapers": ("matplotlib",),
}

suppress_warnings = []

logger = logging.getLogger(__name__)


def copy_notebook(app) -> None:
    """The dashboard notebook as a page (a copy: Sphinx reads sources inside docs/ only)."""
    GENERATED.mkdir(exist_ok=True)
    shutil.copyfile(ROOT / "stpexplorer" / "dashboard" / "explorer.ipynb", GENERATED / "explorer.ipynb")


def conformance_report(app) -> None:
    """docs/_generated/validation/: the report of ``stpexplorer validate --quick``,
    run now, or copied from $STPEXPLORER_DOCS_VALIDATION (a directory with a
    finished report.md) so that the test command runs the checks once."""
    target = GENERATED / "validation"
    shutil.rmtree(target, ignore_errors=True)
    given = os.environ.get("STPEXPLORER_DOCS_VALIDATION")
    if given and (Path(given) / "report.md").is_file():
        shutil.copytree(given, target)
    else:
        run_validate(target)
    report = target / "report.md"
    if report.is_file():
        report.write_text(link_figures_to_sections(report.read_text(encoding="utf-8")), encoding="utf-8")


def link_figures_to_sections(report: str) -> str:
    """The table's figure column links the figure files; on the page, link each
    row's section, where its figure is shown ("## 1. stp-nest: pass" has the
    anchor #1-stp-nest-pass)."""
    sections = {}
    for number, title in re.findall(r"^## (\d+)\. (.+)$", report, flags=re.M):
        sections[number] = re.sub(r"[^\w\- ]", "", f"{number}. {title}".lower()).replace(" ", "-")

    def row(match):
        number = match.group(1)
        return re.sub(r"\[([\w.-]+\.png)\]\(\1\)", f"[figure](#{sections.get(number, '')})", match.group(0))

    return re.sub(r"^\| (\d+) \|.*$", row, report, flags=re.M)


def run_validate(target: Path) -> None:
    """``stpexplorer validate --quick --out target`` in a process of its own."""
    target.parent.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "STPEXPLORER_ENGINE"}
    if ENGINE_GIVEN:  # the engine of the examples is the docs' choice; the checks use the caller's
        env["STPEXPLORER_ENGINE"] = ENGINE_GIVEN
    command = [sys.executable, "-c", "import sys; from stpexplorer.cli import main; sys.exit(main())",
               "validate", "--quick", "--out", str(target)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0 or not (target / "report.md").is_file():
        logger.warning("stpexplorer validate --quick exited %d:\n%s%s", done.returncode,
                       done.stdout[-4000:], done.stderr[-4000:])


def setup(app):
    app.connect("builder-inited", copy_notebook)
    app.connect("builder-inited", conformance_report)
