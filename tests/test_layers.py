"""The layers import in one direction only: the web apps may use the runtime, the lab may use the
runtime, the runtime uses neither, and no two modules import each other (directly or round a circle).
Read from the source (every import, lazy ones inside functions too), so nothing needs importing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGES = ("inference", "eyeclass")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    return imports_in(path.read_text(), module_name(path), path.name == "__init__.py")


def imports_in(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module `source` (the text of `module`) imports, absolute names, relative ones resolved."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            stem = ".".join(filter(None, (base, node.module or "")))
            found.add(stem)
            found |= {f"{stem}.{alias.name}" for alias in node.names}  # `from pkg import module`
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for package in PACKAGES for p in (REPO / package).rglob("*.py")}
    return {name: {m for m in imports_of(path) if m in modules and m != name} for name, path in modules.items()}


def in_lab(name: str) -> bool:
    return name == "inference.lab" or name.startswith("inference.lab.")


def test_the_runtime_never_imports_the_lab_and_the_web_apps_neither():
    forbidden = {
        (name, target)
        for name, targets in graph().items()
        for target in targets
        if not in_lab(name) and name != "inference.__main__" and in_lab(target)
    }
    assert not forbidden, f"imports of the lab from outside it: {sorted(forbidden)}"


def test_inference_never_imports_the_web_apps():
    leaks = {(n, t) for n, ts in graph().items() for t in ts if n.startswith("inference") and t.startswith("eyeclass")}
    assert not leaks, sorted(leaks)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_circles(package):
    edges = {n: {t for t in ts if t.startswith(package)} for n, ts in graph().items() if n.startswith(package)}
    index, low, stack, on_stack, circles, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in edges:
        if node not in index:
            visit(node)
    assert not circles, f"modules that import each other: {circles}"


def test_the_checks_see_imports_inside_functions_and_relative_ones():
    source = (
        "def f():\n    from .lab import training\n    from ..labels import LABELS\n    import inference.lab.model\n"
    )
    found = imports_in(source, "inference.pipeline")
    assert {"inference.lab.training", "inference.lab.model"} <= found
    assert "labels" in imports_in(source, "inference.lab.x") or "inference.labels" in imports_in(
        source, "inference.lab.x"
    )
