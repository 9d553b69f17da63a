"""The layout keeps the architecture: the product (recommendations, ministerial) and its
site helpers (lib) never import the development tooling (devtools, bench); lib imports
nothing of the product; the product's modules import each other without a cycle; no
module grows past 500 lines; and the devtools app is installed in development and tests
only.

Imports are read with ``ast`` from the source, not by running it."""

from __future__ import annotations

import ast
import runpy
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("recommendations", "ministerial", "lib")
TOOLING = ("devtools", "bench")
MAX_LINES = 500


@dataclass(frozen=True)
class Import:
    target: str  # the module named, absolute ("recommendations.models", "devtools")
    names: tuple[str, ...]  # what a "from … import" takes from it
    line: int
    at_import_time: bool  # False inside a function or under "if TYPE_CHECKING:"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules_of(*packages: str) -> dict[str, Path]:
    return {
        module_name(path): path
        for package in packages
        for path in sorted((ROOT / package).rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path) -> list[Import]:
    """Every import statement of the module, resolved to absolute module names."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, at_import_time: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            at_import_time = False
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, False)
            for child in node.orelse:
                visit(child, at_import_time)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(alias.name, (), node.lineno, at_import_time))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = tuple(alias.name for alias in node.names)
            found.append(Import(target, names, node.lineno, at_import_time))
        for child in ast.iter_child_nodes(node):
            visit(child, at_import_time)

    visit(ast.parse(path.read_text(), filename=str(path)), True)
    return found


def is_within(target: str, packages: tuple[str, ...]) -> bool:
    return any(target == p or target.startswith(p + ".") for p in packages)


def test_the_product_never_imports_the_development_tooling():
    offending = [
        f"{path.relative_to(ROOT)}:{imp.line} imports {imp.target}"
        for path in modules_of(*PRODUCT).values()
        for imp in imports_of(path)
        if is_within(imp.target, TOOLING)
    ]
    assert offending == []


def test_lib_imports_nothing_of_the_product():
    offending = [
        f"{path.relative_to(ROOT)}:{imp.line} imports {imp.target}"
        for path in modules_of("lib").values()
        for imp in imports_of(path)
        if is_within(imp.target, ("recommendations", "ministerial"))
    ]
    assert offending == []


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module → the product modules it imports when it is imported (imports inside
    functions and under ``if TYPE_CHECKING:`` left out). ``from package import name``
    depends on ``package.name`` when that is a module, on ``package`` otherwise. The
    parent packages Python initialises first are not edges: a submodule is only ever
    loaded once its package has started."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for imp in imports_of(path):
            if not imp.at_import_time:
                continue
            targets = {imp.target}
            if imp.names:
                submodules = {f"{imp.target}.{n}" for n in imp.names} & modules.keys()
                taken = {n for n in imp.names if f"{imp.target}.{n}" not in submodules}
                targets = submodules | ({imp.target} if taken else set())
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle ``[a, b, …, a]``, or ``[]`` when the graph is acyclic."""
    state: dict[str, str] = {}
    trail: list[str] = []

    def walk(node: str) -> list[str]:
        state[node] = "open"
        trail.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return trail[trail.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        state[node] = "done"
        trail.pop()
        return []

    for node in sorted(graph):
        if node not in state and (cycle := walk(node)):
            return cycle
    return []


def test_the_products_modules_import_each_other_without_a_cycle():
    graph = import_graph(modules_of(*PRODUCT))
    assert graph["recommendations.views"], "the graph should hold the product's imports"

    cycle = find_cycle(graph)

    assert cycle == [], "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize(
    "path",
    [path for path in modules_of(*PRODUCT, *TOOLING).values() if "migrations" not in path.parts],
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_no_module_is_over_500_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines; split it"


def test_the_development_tools_are_installed_for_the_tests():
    assert "devtools" in settings.INSTALLED_APPS


@pytest.mark.parametrize(
    ("env", "installed"),
    [
        ({"DEBUG": "1"}, True),
        ({"DEBUG": "1", "TRACKER_DEVTOOLS": "0"}, False),
        ({"DEBUG": "0"}, False),
        ({"DEBUG": "0", "TRACKER_DEVTOOLS": "1"}, True),
    ],
)
def test_the_development_tools_are_installed_only_with_debug_or_when_asked_for(
    monkeypatch, env, installed
):
    monkeypatch.delenv("TRACKER_DEVTOOLS", raising=False)
    monkeypatch.setenv("SECRET_KEY", "test-only")
    monkeypatch.setenv("ALLOWED_HOSTS", "tracker.example.org")
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    production = runpy.run_path(str(ROOT / "ministerial" / "settings.py"))

    assert ("devtools" in production["INSTALLED_APPS"]) is installed
