"""The import structure of casework/, read from the source with `ast`.

- No cycle between packages, at any level: between the top-level packages and modules of
  casework (cases, referrals, web, core, policy...) and between the sub-packages and modules
  inside each package (cases.consents, cases.lifecycle...). The one exception is a blueprint's
  `__init__` importing its own route modules (they register their views on the blueprint).
- `casework/crypto/` and `casework/policy/` import nothing of Flask (`flask`, `flask_*`), not
  the top-level `config`, and no casework module that does, at run time: imports inside
  functions count, imports under `if TYPE_CHECKING:` do not. The package's PEP 562
  `__getattr__` (which loads `create_app` on first use) is not run by an import, so its body
  does not count either.
- Checked by running Python too: `import casework.crypto` and `import casework.policy` leave
  Flask and `config` unloaded, and `create_app()` works from another directory.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from casework import ROOT
from tests.conftest import ensure_key_file

PACKAGE = ROOT / "casework"
FLASK_FREE = ("casework.crypto", "casework.policy")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}
PACKAGES = {module_name(path) for path in PACKAGE.rglob("__init__.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_time_nodes(tree: ast.AST, package_init: bool) -> Iterator[ast.AST]:
    """Every node that can run: not under `if TYPE_CHECKING:`, not the body of a package's
    module-level `__getattr__` (PEP 562: it runs on attribute access, not on import)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for other in node.orelse:
                yield other
                yield from _run_time_nodes(other, False)
            continue
        if package_init and isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
            continue
        yield node
        yield from _run_time_nodes(node, False)


def imports_of(name: str) -> set[str]:
    """The modules `name` imports at run time (casework modules resolved to the module or
    package they name; other imports as written)."""
    path = MODULES[name]
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    tree = ast.parse(path.read_text())
    for node in _run_time_nodes(tree, package_init=is_package and name == "casework"):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = str(node.module)
            submodules = {f"{source}.{a.name}" for a in node.names} & MODULES.keys()
            found |= submodules
            if len(submodules) < len(node.names):
                found.add(source)
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def _child(package: str, module: str) -> str | None:
    """The direct child of `package` that `module` lives in (itself, for the package)."""
    if module == package:
        return package
    if not module.startswith(package + "."):
        return None
    return f"{package}.{module[len(package) + 1 :].split('.')[0]}"


def _blueprint_routes(importer: str, imported: str) -> bool:
    """A package's `__init__` importing its own route modules (a blueprint registering them)."""
    return (
        importer in PACKAGES
        and imported.startswith(importer + ".")
        and imported.rsplit(".", 1)[-1].endswith("routes")
    )


def package_graph(package: str) -> dict[str, set[str]]:
    """Edges between the direct children of `package` (and the package's own `__init__`)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for importer, imported_set in GRAPH.items():
        source = _child(package, importer)
        if source is None:
            continue
        for imported in imported_set:
            target = _child(package, imported)
            if target is None or target == source or _blueprint_routes(importer, imported):
                continue
            edges[source].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(edges):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read() -> None:
    """The analysis sees what it should (a test that could not fail would prove nothing)."""
    assert "casework.cases.guard" in GRAPH["casework.cases.operations"]
    assert "casework.web.access" in GRAPH["casework.cases.routes"]
    assert "casework.app" not in GRAPH["casework"], "the lazy create_app is not an import"
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_cycle_between_packages_at_any_level() -> None:
    found = {package: cycles(package_graph(package)) for package in sorted(PACKAGES)}
    assert {package: c for package, c in found.items() if c} == {}


def _parents(module: str) -> set[str]:
    """Importing a module runs its parent packages' `__init__` first."""
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))} & MODULES.keys()


def reached_from(start: str) -> dict[str, str]:
    """Every module `start` imports at run time, directly or not: module -> who imports it."""
    reached: dict[str, str] = {}
    pending = [start, *_parents(start)]
    while pending:
        module = pending.pop()
        for imported in GRAPH.get(module, ()):
            for target in (imported, *_parents(imported)):
                if target not in reached:
                    reached[target] = module
                    if target in MODULES:
                        pending.append(target)
    return reached


def _flask_like(module: str) -> bool:
    top = module.split(".")[0]
    return top == "flask" or top.startswith("flask_") or top == "config"


def test_crypto_and_policy_import_no_flask_and_no_config() -> None:
    offenders = {}
    for start in [m for m in MODULES if m.startswith(FLASK_FREE)]:
        reached = reached_from(start)
        bad = sorted(m for m in reached if _flask_like(m))
        if bad:
            offenders[start] = {m: reached[m] for m in bad}
    assert offenders == {}


def test_the_flask_check_would_see_an_indirect_import() -> None:
    reached = reached_from("casework.cases.guard")  # a Flask module, for contrast
    assert any(_flask_like(m) for m in reached)


def _python(code: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_importing_crypto_or_policy_loads_neither_flask_nor_config(tmp_path: Path) -> None:
    result = _python(
        "import sys, casework.crypto, casework.policy\n"
        "loaded = sorted(m for m in sys.modules if m == 'config' or m.split('.')[0] == 'flask')\n"
        "print(loaded)",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_create_app_works_from_any_directory(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    key_file = ensure_key_file(str(tmp_path))
    result = _python(
        "from casework import create_app\n"
        "import os\n"
        "app = create_app({'ENV_NAME': 'testing', 'INSTANCE_DIR': os.environ['INSTANCE'],\n"
        "    'KEY_FILE': os.environ['KEYS'], 'ATTACHMENT_DIR': os.environ['INSTANCE'] + '/files',\n"
        "    'SQLALCHEMY_DATABASE_URI': 'sqlite:///' + os.environ['INSTANCE'] + '/x.db'})\n"
        "print(app.name, len(app.url_map._rules) > 50)",
        elsewhere,
        INSTANCE=str(tmp_path),
        KEYS=key_file,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "casework True"
