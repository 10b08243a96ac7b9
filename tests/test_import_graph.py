"""The package's import graph: no cycles, and the registry <- hub <- facade direction.

Edges are the module-level `import` / `from ... import` statements of `zoo/` that name a
zoo module (a `from package import submodule` is an edge to the submodule; Python's
implicit import of a parent package is not an edge).
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "zoo"


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _module_level_imports(path: pathlib.Path) -> set[str]:
    deps = set()
    for node in ast.parse(path.read_text()).body:
        nodes = ast.walk(node) if isinstance(node, ast.If | ast.Try) else [node]
        for n in nodes:
            if isinstance(n, ast.Import):
                deps.update(a.name for a in n.names)
            elif isinstance(n, ast.ImportFrom) and n.module and n.level == 0:
                submodules = {f"{n.module}.{a.name}" for a in n.names} & MODULES.keys()
                deps.update(submodules)
                if len(submodules) < len(n.names):  # names defined in the module itself
                    deps.add(n.module)
    return {d for d in deps if d in MODULES}


GRAPH = {name: _module_level_imports(path) - {name} for name, path in MODULES.items()}


def _find_cycle():
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for dep in sorted(GRAPH[node]):
            if state.get(dep) == "open":
                return [*stack[stack.index(dep) :], dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(GRAPH):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_package_has_no_import_cycle():
    cycle = _find_cycle()
    assert cycle is None, " -> ".join(cycle)


def test_the_checker_finds_a_planted_cycle(monkeypatch):
    monkeypatch.setitem(GRAPH, "zoo.registry", GRAPH["zoo.registry"] | {"zoo.hub"})
    assert _find_cycle() is not None


@pytest.mark.parametrize(
    ("module", "allowed"),
    [
        ("zoo.registry", set()),  # depends on no other zoo module
        ("zoo.hub", {"zoo.registry", "zoo._version"}),
        ("zoo._lazy", set()),
    ],
)
def test_one_way_dependencies(module, allowed):
    assert {d for d in GRAPH[module] if d.startswith("zoo")} <= allowed


def test_preset_declarations_import_only_the_registry():
    for name, deps in GRAPH.items():
        if name.endswith(".presets"):
            assert deps <= {"zoo.registry"}, (name, deps)


def _is_private(module: str) -> bool:
    return any(part.startswith("_") for part in module.split("."))


def _package_of(module: str) -> str:
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def test_private_modules_are_imported_only_inside_their_package():
    # A private module (`zoo._version`, `zoo._lazy`) is the business of its own package:
    # its sibling modules, and the packages' `__init__`s that use the lazy-export helper.
    # Anything shared across packages is a public module (`zoo.checks`, `zoo.random`,
    # `zoo.models.steps`).
    crossing = sorted(
        (name, dep)
        for name, deps in GRAPH.items()
        for dep in deps
        if _is_private(dep)
        and _package_of(name) != dep.rpartition(".")[0]
        and not (MODULES[name].name == "__init__.py" and dep == "zoo._lazy")
    )
    assert not crossing, crossing


def test_the_private_import_check_finds_a_planted_crossing(monkeypatch):
    monkeypatch.setitem(
        GRAPH, "zoo.models.energy.rbm", GRAPH["zoo.models.energy.rbm"] | {"zoo._version"}
    )
    with pytest.raises(AssertionError):
        test_private_modules_are_imported_only_inside_their_package()
