"""stpexplorer's modules import each other without cycles.

The rule: the imports a module makes when it is loaded (its top-level
statements, including those under ``if TYPE_CHECKING:``, which couple the two
modules just the same for a reader and a type checker) form a graph without
cycles.  Imports inside a function or method are left out: they run on first
use (heavy or optional libraries, a plot module the sweep's workers never
load) and so cannot take part in a circular import at load time.

An import names a module: ``from . import params`` names ``stpexplorer.params``
and ``from .params import Params`` names ``stpexplorer.params``; a package
(its ``__init__``) is named only when it is imported itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "stpexplorer"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE


def module_files() -> dict[str, Path]:
    """Dotted module name → file, for every module of the package."""
    modules = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def top_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Import statements run when the module loads: at the top level or inside
    top-level ``if``/``try``/``with`` blocks, not inside functions or classes."""
    found, todo = [], list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            todo.extend(child for field in ("body", "orelse", "finalbody", "handlers")
                        for child in getattr(node, field, []))
        elif isinstance(node, ast.ExceptHandler):
            todo.extend(node.body)
    return found


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that module ``name`` imports at load time."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in top_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, *([node.module] if node.module else [])])
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            targets.add(submodule if submodule in modules else base)
    return {target for target in targets if target in modules and target != name}


def import_graph() -> dict[str, set[str]]:
    modules = module_files()
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes (first = last), or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*stack[stack.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_rule_sees_a_cycle_and_resolves_relative_imports():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None
    graph = import_graph()
    assert "stpexplorer.params" in graph["stpexplorer.dashboard.controls"]  # from .. import params
    assert "stpexplorer.dashboard.threads" in graph["stpexplorer.dashboard.network_tab"]  # from .threads import …


def test_module_level_imports_form_no_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle)
