"""The package's imports point one way, down the layers of docs/architecture.md, and close no cycle.

Every ``import`` and ``from ... import`` in every module is counted, at any
depth (inside functions and ``if TYPE_CHECKING`` blocks too): a lazy import is
still a dependency. A module may import its own layer's modules and any lower
layer's; the modules of one layer must not import each other in a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rvos_ros"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("rvos_ros", "rvos_ros.errors", "rvos_ros.types", "rvos_ros.config", "rvos_ros.geometry"),
    ("rvos_ros.models",),
    ("rvos_ros.llm",),
    ("rvos_ros.engines",),
    ("rvos_ros.perception",),
    ("rvos_ros.reasoning",),
    ("rvos_ros.runtime",),
    ("rvos_ros.interface",),
    ("rvos_ros.eval",),
    ("rvos_ros.bag",),
    ("rvos_ros.ros",),
    ("rvos_ros.testing", "rvos_ros.cli", "rvos_ros.demo", "rvos_ros.terminal", "rvos_ros.try_live"),
)
"""Lowest first. A module belongs to the layer of the longest prefix that names it."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules that ``path`` imports, at any depth of its syntax tree."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:  # `from pkg import module` imports the module
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in known else target)
    return {m for m in found if m == "rvos_ros" or m.startswith("rvos_ros.")} - {name}


def layer_of(name: str) -> int:
    best, rank = -1, -1
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    return rank


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path that ends where it starts, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_every_module_has_a_layer():
    assert [m for m in all_modules() if layer_of(m) < 0] == []


def test_no_import_points_up_a_layer():
    upward = [f"{m} (layer {layer_of(m)}) imports {d} (layer {layer_of(d)})"
              for m, deps in import_graph().items() for d in sorted(deps) if layer_of(d) > layer_of(m)]
    assert upward == []


def test_no_import_cycle_between_modules():
    assert find_cycle(import_graph()) is None


def test_no_import_cycle_between_folders():
    folders: dict[str, set[str]] = {}
    for m, deps in import_graph().items():
        folder = ".".join(m.split(".")[:2])
        folders.setdefault(folder, set()).update(".".join(d.split(".")[:2]) for d in deps)
    assert find_cycle({f: d - {f} for f, d in folders.items()}) is None


# -- the checker itself catches what it is for -------------------------------------------------------


def test_find_cycle_reports_a_cycle_and_accepts_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_imports_inside_functions_and_relative_imports_count(tmp_path):
    pkg = tmp_path / "rvos_ros" / "reasoning"
    pkg.mkdir(parents=True)
    source = pkg / "example.py"
    source.write_text("def f():\n"
                      "    from rvos_ros.ros import node\n"
                      "    from ..bag import replay\n"
                      "    import rvos_ros.cli\n")
    known = {"rvos_ros.ros.node", "rvos_ros.bag.replay"}
    assert imports_of("rvos_ros.reasoning.example", source, known) == {
        "rvos_ros.ros.node", "rvos_ros.bag.replay", "rvos_ros.cli"}


@pytest.mark.parametrize(("module", "layer"), [
    ("rvos_ros.types", 0), ("rvos_ros.models.clip", 1), ("rvos_ros.perception.tracker", 4),
    ("rvos_ros.ros.node", 10), ("rvos_ros.cli", 11)])
def test_layer_of_uses_the_longest_prefix(module, layer):
    assert layer_of(module) == layer
