"""The architecture as a test: no import cycles, and no layer importing one above it.

Reads every project module's imports (module level and inside functions: a deferred import
is still a dependency) without running any of them, and checks them against the layers
described in docs/architecture.md. A failure names the offending import, so the fix is to
move code to the layer where it belongs, not to widen the rules here.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PROJECT_PACKAGES = ("agreements", "workflows")
WEB_FRAMEWORK = ("flask", "flask_login", "flask_wtf", "flask_limiter", "htmx_flask", "werkzeug")
DATABASE = ("sqlalchemy", "sqlmodel", "psycopg", "alembic")

# layer -> the project layers it must never import (directly or through another module)
FORBIDDEN_LAYERS: dict[str, tuple[str, ...]] = {
    "workflows": ("agreements",),
    "agreements.text": (
        "agreements.models",
        "agreements.storage",
        "agreements.audit",
        "agreements.services",
        "agreements.security",
        "agreements.web",
        "agreements.api",
        "agreements.auth",
    ),
    "agreements.storage": ("agreements.services", "agreements.web", "agreements.api"),
    "agreements.audit": (
        "agreements.services",
        "agreements.security",
        "agreements.web",
        "agreements.api",
        "agreements.auth",
    ),
    "agreements.security": ("agreements.services", "agreements.web", "agreements.api"),
    "agreements.services": (
        "agreements.web",
        "agreements.api",
        "agreements.auth",
        "agreements.cli",
        "agreements.demo",
    ),
    "agreements.web": ("agreements.api", "agreements.cli", "agreements.demo"),
    "agreements.api": ("agreements.web", "agreements.cli", "agreements.demo"),
}
for core in ("models", "errors", "config", "limits", "languages", "access", "tally"):
    FORBIDDEN_LAYERS[f"agreements.{core}"] = (
        "agreements.services",
        "agreements.web",
        "agreements.api",
        "agreements.auth",
        "agreements.audit",
        "agreements.security",
        "agreements.cli",
        "agreements.demo",
    )

# layer -> third-party packages it must never import itself
FORBIDDEN_LIBRARIES: dict[str, tuple[str, ...]] = {
    "workflows": WEB_FRAMEWORK + DATABASE,
    "agreements.text": WEB_FRAMEWORK + DATABASE,
    "agreements.services": WEB_FRAMEWORK,
    "agreements.audit": WEB_FRAMEWORK,
    "agreements.storage.engines": WEB_FRAMEWORK,
    "agreements.models": WEB_FRAMEWORK,
    "agreements.tally": WEB_FRAMEWORK + DATABASE,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PROJECT_PACKAGES
        for path in sorted((REPO_ROOT / package).rglob("*.py"))
    }


MODULES = project_modules()


@functools.cache
def imported_names(name: str) -> tuple[str, ...]:
    """Every absolute module name `name` imports, resolving relative imports."""
    return tuple(_imported_names(name, MODULES[name]))


def _imported_names(name: str, path: Path):
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            submodules = [f"{target}.{alias.name}" for alias in node.names]
            named_modules = [module for module in submodules if module in MODULES]
            yield from named_modules  # `from package import module`
            if len(named_modules) < len(submodules):
                yield target  # `from module import name`


@functools.cache
def project_imports(name: str) -> frozenset[str]:
    """The project modules `name` depends on (a package's face counts as its package)."""
    return frozenset(
        imported for imported in imported_names(name) if imported in MODULES and imported != name
    )


def library_imports(name: str) -> set[str]:
    return {
        imported.split(".")[0]
        for imported in imported_names(name)
        if imported.split(".")[0] not in PROJECT_PACKAGES
    }


def within(name: str, layer: str) -> bool:
    return name == layer or name.startswith(layer + ".")


@functools.cache
def reachable(name: str) -> frozenset[str]:
    seen: set[str] = set()
    todo = [name]
    while todo:
        for imported in project_imports(todo.pop()):
            if imported not in seen:
                seen.add(imported)
                todo.append(imported)
    return seen


def test_the_walk_sees_the_project() -> None:
    assert "agreements.services.rounds" in MODULES
    assert "agreements.models" in project_imports("agreements.services.rounds")
    assert "agreements.audit" in project_imports("agreements.services.rounds")
    assert "workflows.protocols" in project_imports("agreements.services.adoption")
    assert "flask" in library_imports("agreements.web.pages")


def test_no_import_cycles() -> None:
    """Tarjan's strongly connected components over the module graph: each must be alone."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for imported in project_imports(node):
            if imported not in index:
                visit(imported)
                low[node] = min(low[node], low[imported])
            elif imported in stack:
                low[node] = min(low[node], index[imported])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in MODULES:
        if name not in index:
            visit(name)
    assert cycles == []


@pytest.mark.parametrize("layer", sorted(FORBIDDEN_LAYERS))
def test_no_layer_depends_on_one_above_it(layer: str) -> None:
    offences = sorted(
        f"{name} reaches {reached}"
        for name in MODULES
        if within(name, layer)
        for reached in reachable(name)
        if any(within(reached, above) for above in FORBIDDEN_LAYERS[layer])
    )
    assert offences == []


@pytest.mark.parametrize("layer", sorted(FORBIDDEN_LIBRARIES))
def test_lower_layers_stay_free_of_web_and_database_libraries(layer: str) -> None:
    offences = sorted(
        f"{name} imports {library}"
        for name in MODULES
        if within(name, layer)
        for library in library_imports(name)
        if library in FORBIDDEN_LIBRARIES[layer]
    )
    assert offences == []


def test_pure_layers_reach_no_web_framework_even_indirectly() -> None:
    """The text engine and the protocols can be lifted out whole: nothing under them is Flask."""
    for layer in ("workflows", "agreements.text"):
        for name in MODULES:
            if within(name, layer):
                for reached in reachable(name) | {name}:
                    assert not library_imports(reached) & set(WEB_FRAMEWORK + DATABASE), reached
