"""The README is a front door whose links and test command hold; the
documentation's parameter table is the generated one and its architecture page
names the modules that exist; the Sphinx build passes with warnings as errors
and the built pages load nothing from other hosts."""

import importlib.util
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"


def _load_update_docs():
    spec = importlib.util.spec_from_file_location("update_docs", ROOT / "scripts" / "update_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_parameter_table_of_the_docs_is_generated_from_params():
    text = (DOCS / "parameters.md").read_text()
    assert "<!-- params:start -->" in text and "<!-- params:end -->" in text
    assert _load_update_docs().render(text) == text, "run: python scripts/update_docs.py"


def test_ci_runs_the_readme_test_command():
    readme = README.read_text()
    command = "bash scripts/test.sh"
    assert f"```bash\n{command}\n```" in readme
    assert command in (ROOT / ".ci" / "run").read_text().splitlines()


def test_the_test_command_builds_the_docs_with_warnings_as_errors():
    assert "bash scripts/docs.sh" in (ROOT / "scripts" / "test.sh").read_text()
    sphinx_lines = [line for line in (ROOT / "scripts" / "docs.sh").read_text().splitlines()
                    if "-m sphinx" in line and not line.lstrip().startswith("#")]
    assert sphinx_lines and all(" -W " in line for line in sphinx_lines)


def test_readme_is_a_front_door_whose_links_exist():
    readme = README.read_text()
    assert len(readme.splitlines()) <= 250
    assert "bash scripts/docs.sh" in readme
    links = re.findall(r"\]\(([^)#]+)\)", readme)
    local = [link for link in links if not re.match(r"https?://", link)]
    assert local, "the README links the documentation pages"
    missing = [link for link in local if not (ROOT / link).exists()]
    assert not missing, f"the README links files that do not exist: {missing}"


def test_architecture_page_names_only_files_that_exist():
    """Every module or folder the architecture page names (`name.py`,
    `name/`) is in the package, and every package module is named."""
    text = (DOCS / "architecture.md").read_text()
    named = set(re.findall(r"`([\w/]+(?:\.py|/))`", text))
    package = ROOT / "stpexplorer"
    existing = {p.relative_to(package).as_posix() for p in package.rglob("*.py")}
    existing |= {p.relative_to(package).as_posix() + "/" for p in package.iterdir() if p.is_dir()}
    basenames = {name.rsplit("/", 1)[-1] for name in existing}
    missing = sorted(name for name in named
                     if name not in existing and name.split("/")[-1] not in basenames
                     and not (ROOT / name).exists() and not (ROOT / "tests" / name).exists())
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"
    unnamed = sorted(p.name for p in package.glob("*.py") if p.name != "__init__.py" and f"`{p.name}`" not in text)
    assert not unnamed, f"docs/architecture.md does not name: {unnamed}"


# ---------------------------------------------------------------- the built documentation


@pytest.fixture(scope="module")
def built_docs(tmp_path_factory):
    """The documentation built as scripts/docs.sh builds it (warnings as errors),
    into a temporary directory. STPEXPLORER_DOCS_VALIDATION, when set, names a
    finished conformance report to show instead of running the checks again."""
    out = tmp_path_factory.mktemp("docs")
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
               "-d", str(out / "doctrees"), str(DOCS), str(out / "html")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=dict(os.environ))
    log = done.stdout + done.stderr
    assert done.returncode == 0, f"sphinx-build -W failed:\n{done.stderr[-5000:]}\n{done.stdout[-1500:]}"
    return out / "html", log


def test_docs_build_without_a_warning(built_docs):
    html, log = built_docs
    sphinx_messages = re.findall(r"(?:WARNING|ERROR|CRITICAL): .*", log)
    assert not sphinx_messages, sphinx_messages[:5]
    for page in ("index", "model", "validation", "parameters", "api", "architecture", "reliability",
                 "auto_examples/index", "auto_examples/plot_forum_network", "_generated/explorer"):
        assert (html / f"{page}.html").is_file(), page


def test_validation_page_holds_the_report_of_this_build(built_docs):
    html, _ = built_docs
    page = (html / "validation.html").read_text()
    assert "conformance report" in page and "Mode: quick" in page
    figures = re.findall(r'<img[^>]+src="(_images/[^"]+)"', page)
    assert any("stp_nest" in f or "neurons_nest" in f or "export" in f for f in figures), figures
    assert all((html / f).is_file() for f in figures)


def test_examples_render_with_their_figures(built_docs):
    html, _ = built_docs
    for example in ("plot_forum_network", "plot_pathways", "plot_synapse_lab", "plot_neuron_types", "plot_fit"):
        page = (html / "auto_examples" / f"{example}.html").read_text()
        images = re.findall(r'<img[^>]+src="(\.\./_images/sphx_glr_[^"]+)"', page)
        assert images and all((html / "auto_examples" / image).is_file() for image in images), example


class _Loads(HTMLParser):
    """Every URL an HTML page makes the browser load (not the links it shows)."""

    LOADING = {("script", "src"), ("img", "src"), ("img", "srcset"), ("iframe", "src"), ("source", "src"),
               ("source", "srcset"), ("video", "src"), ("video", "poster"), ("audio", "src"), ("embed", "src"),
               ("object", "data"), ("input", "src"), ("track", "src")}

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if (tag, name) in self.LOADING and value:
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()]
        # <link> loads unless it is only a relation to another page (next, prev, index, search...)
        rel = set((attrs.get("rel") or "").lower().split())
        if tag == "link" and attrs.get("href") and rel & {"stylesheet", "preload", "icon", "shortcut", "modulepreload",
                                                          "prefetch", "manifest", "apple-touch-icon", "dns-prefetch",
                                                          "preconnect"}:
            self.urls.append(attrs["href"])
        if attrs.get("style"):
            self.styles.append(attrs["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


CSS_LOADS = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+(?:url\(\s*)?['"]?([^'")\s;]+)""")
REMOTE = re.compile(r"^(?:https?:)?//", re.I)


def remote_loads(html_dir: Path) -> list[str]:
    """``file: url`` for every resource a built page or stylesheet loads from another host."""
    found = []
    for page in html_dir.rglob("*.html"):
        parser = _Loads()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        css = [u for style in parser.styles for m in CSS_LOADS.finditer(style) for u in m.groups() if u]
        found += [f"{page.relative_to(html_dir)}: {url}" for url in parser.urls + css if REMOTE.match(url)]
    for sheet in html_dir.rglob("*.css"):
        text = sheet.read_text(encoding="utf-8", errors="replace")
        urls = [u for m in CSS_LOADS.finditer(text) for u in m.groups() if u]
        found += [f"{sheet.relative_to(html_dir)}: {url}" for url in urls if REMOTE.match(url)]
    return found


def test_remote_loads_are_found(tmp_path):
    """The scan itself: each way of loading from another host is caught, links and data URLs are not."""
    (tmp_path / "page.html").write_text(
        '<html><head><link rel="stylesheet" href="https://cdn.example.org/a.css">'
        '<link rel="next" href="https://example.org/next.html"><script src="//cdn.example.org/b.js"></script>'
        '<style>@font-face { src: url("https://fonts.example.org/c.woff2") }</style></head>'
        '<body><a href="https://doi.org/10.1000/x">paper</a><img src="https://example.org/d.png">'
        '<img src="data:image/png;base64,AAAA"><div style="background: url(https://example.org/e.png)"></div>'
        "</body></html>")
    (tmp_path / "f.css").write_text('@import "https://fonts.example.org/f.css"; a { b: url(local.png) }')
    urls = {entry.split(": ", 1)[1] for entry in remote_loads(tmp_path)}
    assert urls == {"https://cdn.example.org/a.css", "//cdn.example.org/b.js", "https://fonts.example.org/c.woff2",
                    "https://example.org/d.png", "https://example.org/e.png", "https://fonts.example.org/f.css"}


def test_built_pages_and_styles_load_nothing_from_other_hosts(built_docs):
    html, _ = built_docs
    found = remote_loads(html)
    assert not found, "the built documentation loads from other hosts:\n" + "\n".join(found[:20])


def test_pages_in_a_browser_request_nothing_from_other_hosts(built_docs):
    """Chromium opens the pages with math, figures, the gallery, the notebook and
    the search: every request it makes (scripts, fonts MathJax asks for, images)
    stays on file://."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI") or os.environ.get("STPEXPLORER_REQUIRE_BROWSER"):
            pytest.fail("Playwright is missing (scripts/test.sh installs it)")
        pytest.skip("Playwright is not installed")
    chromium = os.environ.get("STPEXPLORER_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        if os.environ.get("CI") or os.environ.get("STPEXPLORER_REQUIRE_BROWSER"):
            pytest.fail(f"no Chromium at {chromium}")
        pytest.skip(f"no Chromium at {chromium}")
    html, _ = built_docs
    pages = ["index.html", "model.html", "validation.html", "auto_examples/plot_forum_network.html",
             "_generated/explorer.html", "api.html", "search.html?q=synapse"]
    requested, typeset = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                                   "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page()
            page.on("request", lambda request: requested.append(request.url))
            for name in pages:
                path, _, query = name.partition("?")
                page.goto((html / path).as_uri() + (f"?{query}" if query else ""))
                page.wait_for_load_state("networkidle")
                if name == "model.html":
                    page.wait_for_selector("mjx-container", timeout=15_000)
                    typeset.append(page.locator("mjx-container").count())
        finally:
            browser.close()
    assert typeset and typeset[0] > 5, "MathJax did not typeset the model's equations"
    elsewhere = [url for url in requested if not url.startswith(("file://", "data:", "blob:"))]
    assert not elsewhere, f"requests to other hosts: {elsewhere[:10]}"
