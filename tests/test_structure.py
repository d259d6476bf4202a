"""The shape of the code, checked: no import cycle between the apps of src/safetynet (imports
anywhere in a file, function-level included), job modules that nothing imports, and no module
over the size at which it should be split along its own sections (migrations aside)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "safetynet"
MAX_LINES = 600


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, path.relative_to(SRC).parts


def _imports(path: Path, rel: tuple[str, ...]) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(rel[:-1])[: len(rel) - node.level] if node.level > 1 else list(rel[:-1])
                names.add(".".join(["safetynet", *base, *([node.module] if node.module else [])]))
            else:
                names.add(node.module or "")
                names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _app_graph() -> dict[str, set[str]]:
    edges = defaultdict(set)
    for path, rel in _modules():
        app = rel[0].removesuffix(".py")
        for name in _imports(path, rel):
            parts = name.split(".")
            if parts[0] == "safetynet" and len(parts) > 1 and parts[1] != app:
                edges[app].add(parts[1])
    return edges


def _cycle_from(start: str, edges) -> list[str] | None:
    stack = [(start, [start])]
    seen = set()
    while stack:
        node, path = stack.pop()
        for nxt in edges.get(node, ()):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_no_import_cycle_between_apps():
    edges = _app_graph()
    cycles = [c for app in sorted(edges) if (c := _cycle_from(app, edges))]
    assert not cycles, "import cycles between apps: " + "; ".join(" → ".join(c) for c in cycles)


def test_job_modules_are_leaves_that_nothing_imports():
    importers = [
        (str(rel), name)
        for path, rel in _modules()
        for name in _imports(path, rel)
        if name.startswith("safetynet.") and name.split(".")[-1] == "tasks" and rel[-1] != "tasks.py"
    ]
    assert not importers, importers


def test_no_module_is_over_the_size_to_split():
    big = [
        f"{'/'.join(rel)} ({n})"
        for path, rel in _modules()
        if (n := path.read_text(encoding="utf-8").count("\n")) > MAX_LINES
    ]
    assert not big, "split along their own sections: " + ", ".join(big)
