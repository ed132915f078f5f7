"""Data flows forward: no two subpackages of ``summarize`` import each other, even through others.

Every import counts, including the ones deferred inside functions (they are
dependencies all the same; deferring only hides a cycle from Python).
"""

from __future__ import annotations

import ast
from pathlib import Path

import summarize

SRC = Path(summarize.__file__).parent


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "summarize" else None


def package_graph() -> dict[str, set[str]]:
    """subpackage -> the subpackages its modules import (the top-level modules are left out)."""
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if len(rel.parts) < 2:  # summarize/__init__.py, __main__.py: the entry points over everything
            continue
        source = rel.parts[0]
        targets = graph.setdefault(source, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names] if node.module == "summarize" else [node.module]
            for name in names:
                target = _package_of(name)
                if target and target != source and (SRC / target).is_dir():
                    targets.add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_subpackage_import_graph_has_no_cycle():
    graph = package_graph()
    assert {"cli", "headline", "metrics", "text", "qa", "training"} <= set(graph)
    cycle = find_cycle(graph)
    assert cycle is None, "package import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_text_and_io_depend_on_no_task_package():
    graph = package_graph()
    assert graph["text"] == set() and graph["io"] <= {"text"}
    assert "headline" not in graph["metrics"] and "headline" not in graph["qa"]
