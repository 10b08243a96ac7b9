"""The package's import graph: no cycles, and the registry <- hub <- facade direction.

Edges are the module-level `import` / `from ... import` statements of `zoo/` that name a
zoo module (a `from package import submodule` is an edge to the submodule; Python's
implicit import of a parent package is not an edge). Each family declares its presets in
`zoo.models.<family>.presets` (TensorFlow-free) and their recipes beside it, in
`zoo.models.<family>.recipes`, which `zoo.recipes` imports only on first need.
"""

import ast
import json
import pathlib
import subprocess
import sys

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


def _reachable_from(module: str) -> set[str]:
    """The modules `module` imports at module level, directly or through others."""
    seen, todo = set(), [module]
    while todo:
        for dep in GRAPH[todo.pop()] - seen:
            seen.add(dep)
            todo.append(dep)
    return seen


FAMILY_RECIPES = {
    name for name in MODULES if name.startswith("zoo.models.") and name.endswith(".recipes")
}


def test_the_recipes_machinery_imports_no_family_recipes_at_module_level():
    # `zoo.models.<family>.recipes` imports `zoo.recipes.recipe` / `zoo.recipes.metrics`;
    # `zoo.recipes` finds a family's recipes by importing its module on first need.
    assert FAMILY_RECIPES  # the check would pass vacuously without them
    for module in ("zoo.recipes", "zoo.recipes.recipe", "zoo.recipes.metrics"):
        assert not _reachable_from(module) & FAMILY_RECIPES, module


def test_a_family_recipes_module_imports_no_other_family_recipes():
    for name in FAMILY_RECIPES:
        assert not _reachable_from(name) & (FAMILY_RECIPES - {name}), name


def _declared_presets(path: pathlib.Path) -> list[str]:
    """The names a `presets` module passes to `register_model`."""
    return [
        node.args[0].value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "register_model"
    ]


#: Run in a fresh interpreter: which family recipes modules does each lookup import?
_RECIPE_LOOKUPS = """
import json, sys
import zoo.recipes
from zoo import registry

def family_recipes():
    return {m for m in sys.modules if m.startswith("zoo.models.") and m.endswith(".recipes")}

declared = json.loads(sys.argv[1])
report = {"imported_by_zoo_recipes": sorted(family_recipes()), "imported_by_lookup": {}}
for module, names in declared.items():
    before = family_recipes()
    for name in names:
        if registry.get_preset(name).weights is not None:
            zoo.recipes.get_recipe(name)
    report["imported_by_lookup"][module] = sorted(family_recipes() - before)
report["registered"] = registry.list_models()
report["published"] = registry.list_models(pretrained=True)
report["with_recipes"] = zoo.recipes.list_recipes()
print(json.dumps(report))
"""


def test_each_presets_module_has_a_sibling_recipes_module_for_its_published_presets():
    declared = {
        _module_name(path): _declared_presets(path)
        for path in sorted(PACKAGE.glob("models/*/presets.py"))
    }
    result = subprocess.run(
        [sys.executable, "-c", _RECIPE_LOOKUPS, json.dumps(declared)],
        cwd=PACKAGE.parent,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["imported_by_zoo_recipes"] == []  # importing zoo.recipes imports none
    for presets_module, names in declared.items():
        sibling = presets_module.rpartition(".")[0] + ".recipes"
        published = [name for name in names if name in report["published"]]
        # A published preset's recipe is found by importing its sibling module, and only it.
        assert report["imported_by_lookup"][presets_module] == ([sibling] if published else [])
    # Which presets have a recipe: exactly those with published weights.
    assert report["with_recipes"] == report["published"]
    # Every registered preset was read from a presets module above (nothing unchecked).
    assert sorted(sum(declared.values(), [])) == report["registered"]


SOURCES = [
    path
    for folder in ("zoo", "tests", "benchmarks", "docs", "examples")
    for path in (PACKAGE.parent / folder).rglob("*.py")
]


def _private_names_imported(path: pathlib.Path) -> list[str]:
    """`module._name` for each `from zoo... import _name` in `path`, at any depth."""
    return [
        f"{node.module}.{alias.name}"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.level == 0
        if (node.module or "").split(".")[0] == "zoo"
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.endswith("__")
        if f"{node.module}.{alias.name}" not in MODULES
    ]


def test_no_source_imports_a_private_name_of_a_zoo_module():
    # Private modules are covered above; this is about private functions, classes and
    # constants: tests, benchmarks, docs and examples use the public API as users do.
    found = {str(path): names for path in SOURCES if (names := _private_names_imported(path))}
    assert not found, found


def test_the_private_name_check_finds_a_planted_import(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text("def f():\n    from zoo.models.energy.rbm import _helper\n")
    assert _private_names_imported(planted) == ["zoo.models.energy.rbm._helper"]
