"""The README's parameter table is the generated one, and its test command is CI's."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load_update_readme():
    spec = importlib.util.spec_from_file_location("update_readme", ROOT / "scripts" / "update_readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_parameter_table_is_generated_from_params():
    text = (ROOT / "README.md").read_text()
    assert _load_update_readme().render(text) == text, "run: python scripts/update_readme.py"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    command = "bash scripts/test.sh"
    assert f"```bash\n{command}\n```" in readme
    assert command in (ROOT / ".ci" / "run").read_text().splitlines()


def _section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def test_readme_layout_names_only_files_that_exist():
    """Every module or folder the Architecture and Development sections name
    (`name.py`, `name/`) is in the package, and every package module is named."""
    import re

    readme = (ROOT / "README.md").read_text()
    text = _section(readme, "Architecture") + _section(readme, "Development")
    named = set(re.findall(r"`([\w/]+(?:\.py|/))`", text))
    package = ROOT / "stpexplorer"
    existing = {p.relative_to(package).as_posix() for p in package.rglob("*.py")}
    existing |= {p.relative_to(package).as_posix() + "/" for p in package.iterdir() if p.is_dir()}
    basenames = {name.rsplit("/", 1)[-1] for name in existing}
    missing = sorted(name for name in named
                     if name not in existing and name.split("/")[-1] not in basenames
                     and not (ROOT / name).exists() and not (ROOT / "tests" / name).exists())
    assert not missing, f"the README names modules that do not exist: {missing}"
    unnamed = sorted(p.name for p in package.glob("*.py") if p.name != "__init__.py" and f"`{p.name}`" not in text)
    assert not unnamed, f"the README's layout does not name: {unnamed}"
