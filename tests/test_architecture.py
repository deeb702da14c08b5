"""One direction of dependencies, read from the source by an AST walk (no import runs).

Layers, each importing only those at or below it:
``spapi`` (no Django) < ``commerce`` (nothing of Amazon) < ``channel`` < ``workers`` <
``dashboard`` < ``api`` (never the dashboard's views) < ``cli``. The project modules at the
top (``urls``, ``wsgi``, ``__main__``) wire everything together; ``settings`` and ``home``
import nothing of the layers. No import cycle between modules, and imports stand at the
module top except in ``cli/`` (whose commands load Django late) and ``AppConfig.ready``.

The test of the test feeds the same walk a small fake tree that breaks each rule once.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "saleschannel"

LAYERS = ("spapi", "commerce", "channel", "workers", "dashboard", "api", "cli")
# What each layer may import of the package (``base`` is open to all): spapi and commerce
# stand side by side at the bottom and know nothing of each other.
MAY_IMPORT = {
    "base": {"base"},
    "spapi": {"base", "spapi"},
    "commerce": {"base", "commerce"},
    "channel": {"base", "spapi", "commerce", "channel"},
    "workers": {"base", "spapi", "commerce", "channel", "workers"},
    "dashboard": {"base", "spapi", "commerce", "channel", "workers", "dashboard"},
    "api": {"base", "spapi", "commerce", "channel", "workers", "dashboard", "api"},
    "cli": {"base", *LAYERS},
    "top": {"base", "top", *LAYERS},
}
# Modules directly under the package: the wiring at the top, the base at the bottom.
TOP_MODULES = {"urls", "wsgi", "__main__"}
BASE_MODULES = {"settings", "home", ""}  # "" is the package's own __init__
FORBIDDEN_PACKAGES = {"spapi": ("django", "rest_framework")}
FORBIDDEN_MODULES = {"api": (f"{PACKAGE}.dashboard.views",)}
LATE_IMPORTS_ALLOWED = ("cli",)


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the module imported (a submodule when ``from pkg import submodule``)
    line: int
    at_top: bool  # at module level (inside if/try is still module level)
    type_checking: bool  # under ``if TYPE_CHECKING:``: never runs


@dataclass
class Report:
    layer_breaks: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    late_imports: list[str] = field(default_factory=list)
    cycles: list[list[str]] = field(default_factory=list)


def module_name(path: Path, package_root: Path) -> str:
    parts = list(path.relative_to(package_root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str, package: str = PACKAGE) -> str:
    """The layer a module belongs to: a name in LAYERS, "top" or "base"."""
    rest = module.split(".")[1:]
    head = rest[0] if rest else ""
    if head in LAYERS:
        return head
    if head in TOP_MODULES:
        return "top"
    return "base"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _in_ready(stack: list[ast.AST]) -> bool:
    """Directly inside the ``ready`` method of a class (an ``AppConfig``)."""
    functions = [s for s in stack if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
    return (len(functions) == 2 and isinstance(functions[0], ast.ClassDef)
            and isinstance(functions[1], ast.FunctionDef) and functions[1].name == "ready")


def imports_of(path: Path, module: str, modules: set[str]) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: list[Import] = []

    def resolve(node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = module.split(".")
        if not is_package:
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def visit(node: ast.AST, stack: list[ast.AST], type_checking: bool) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            at_top = not any(isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)
                             for s in stack) or _in_ready(stack)
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = resolve(node)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            found.extend(Import(module, t, node.lineno, at_top, type_checking) for t in targets)
            return
        guarded = isinstance(node, ast.If) and _is_type_checking(node.test)
        for child in ast.iter_child_nodes(node):
            child_tc = type_checking or (guarded and child in node.body)
            visit(child, [*stack, node], child_tc)

    visit(tree, [], False)
    return found


def analyse(package_root: Path, package: str = PACKAGE) -> Report:
    files = sorted(p for p in package_root.rglob("*.py") if "migrations" not in p.parts)
    modules = {module_name(p, package_root): p for p in files}
    report = Report()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        layer = layer_of(module, package)
        for imp in imports_of(path, module, set(modules)):
            target_is_ours = imp.target == package or imp.target.startswith(package + ".")
            where = f"{path.relative_to(package_root.parent).as_posix()}:{imp.line}"
            if not imp.at_top and layer not in LATE_IMPORTS_ALLOWED:
                report.late_imports.append(f"{where} imports {imp.target} inside a function")
            for banned in FORBIDDEN_PACKAGES.get(layer, ()):
                if imp.target == banned or imp.target.startswith(banned + "."):
                    report.forbidden.append(f"{where}: {layer} imports {imp.target}")
            for banned in FORBIDDEN_MODULES.get(layer, ()):
                if imp.target == banned or imp.target.startswith(banned + "."):
                    report.forbidden.append(f"{where}: {layer} imports {imp.target}")
            if not target_is_ours:
                continue
            target_layer = layer_of(imp.target, package)
            if target_layer not in MAY_IMPORT[layer]:
                report.layer_breaks.append(f"{where}: {module} ({layer}) imports {imp.target} ({target_layer})")
            if imp.type_checking:
                continue
            target = imp.target
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in modules and target != module:
                graph[module].add(target)
    report.cycles = find_cycles(graph)
    for name in ("layer_breaks", "forbidden", "late_imports"):
        setattr(report, name, list(dict.fromkeys(getattr(report, name))))
    return report


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0

    def connect(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                connect(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return components


# --- the rules, on the real tree ---------------------------------------------------------

@pytest.fixture(scope="module")
def report() -> Report:
    return analyse(ROOT / PACKAGE)


def test_each_layer_imports_only_the_layers_below_it(report):
    assert not report.layer_breaks, "\n".join(report.layer_breaks)


def test_spapi_imports_no_django_and_api_never_the_dashboards_views(report):
    assert not report.forbidden, "\n".join(report.forbidden)


def test_no_import_cycle_between_modules(report):
    assert not report.cycles, "\n".join(" <-> ".join(c) for c in report.cycles)


def test_imports_stand_at_module_top_except_in_cli_and_appconfig_ready(report):
    assert not report.late_imports, "\n".join(report.late_imports)


def test_the_walk_sees_the_whole_package():
    modules = {module_name(p, ROOT / PACKAGE) for p in (ROOT / PACKAGE).rglob("*.py")}
    assert {f"{PACKAGE}.{layer}" for layer in LAYERS} <= modules


# --- the test of the test ----------------------------------------------------------------

def _write(root: Path, files: dict[str, str]) -> Path:
    package_root = root / PACKAGE
    for name, text in files.items():
        path = package_root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for directory in [package_root, *(p for p in package_root.rglob("*") if p.is_dir())]:
        (directory / "__init__.py").touch()
    return package_root


CLEAN_TREE = {
    "spapi/client.py": "import json\n",
    "commerce/sales.py": "from saleschannel.commerce import errors\n",
    "commerce/errors.py": "",
    "channel/rules.py": "from saleschannel.spapi import client\nfrom saleschannel.commerce import sales\n",
    "channel/apps.py": "class ChannelConfig:\n    def ready(self):\n        from saleschannel.channel import rules\n",
    "workers/loop.py": "from saleschannel.channel import rules\n",
    "dashboard/views.py": "from saleschannel.workers import loop\n",
    "dashboard/forms.py": "",
    "dashboard/idle.py": "",
    "workers/idle.py": "",
    "api/idle.py": "",
    "api/views.py": "from saleschannel.dashboard import forms\nfrom typing import TYPE_CHECKING\n"
                    "if TYPE_CHECKING:\n    from saleschannel.api import later\n",
    "api/later.py": "from saleschannel.api import views\n",
    "cli/sync.py": "def main():\n    from saleschannel.workers import loop\n",
    "urls.py": "from saleschannel.api import views\nfrom saleschannel.dashboard import views as d\n",
}


def test_the_clean_fake_tree_passes(tmp_path):
    report = analyse(_write(tmp_path, CLEAN_TREE))
    assert report == Report()


@pytest.mark.parametrize(("change", "broken"), [
    ({"commerce/sales.py": "from saleschannel.spapi import client\n"}, "layer_breaks"),
    ({"channel/rules.py": "from saleschannel.workers import idle\n"}, "layer_breaks"),
    ({"workers/loop.py": "from saleschannel.dashboard import idle\n"}, "layer_breaks"),
    ({"dashboard/forms.py": "import saleschannel.api.idle\n"}, "layer_breaks"),
    ({"spapi/client.py": "from saleschannel.commerce.sales import x\n"}, "layer_breaks"),
    ({"settings.py": "from saleschannel.channel import rules\n"}, "layer_breaks"),
    ({"spapi/client.py": "from django.db import models\n"}, "forbidden"),
    ({"api/views.py": "from saleschannel.dashboard.views import page\n"}, "forbidden"),
    ({"api/views.py": "from ..dashboard import views\n"}, "forbidden"),
    ({"commerce/errors.py": "from saleschannel.commerce import sales\n"}, "cycles"),
    ({"channel/rules.py": "def f():\n    from saleschannel.commerce import sales\n"}, "late_imports"),
    ({"workers/loop.py": "class C:\n    def run(self):\n        import json\n"}, "late_imports"),
])
def test_the_walk_catches_each_broken_rule(tmp_path, change, broken):
    report = analyse(_write(tmp_path, {**CLEAN_TREE, **change}))
    assert getattr(report, broken), report
    others = {name for name in ("layer_breaks", "forbidden", "late_imports", "cycles")
              if name != broken and getattr(report, name)}
    assert not others, report


def test_a_relative_import_resolves_like_an_absolute_one(tmp_path):
    report = analyse(_write(tmp_path, {**CLEAN_TREE, "commerce/sales.py": "from ..spapi import client\n"}))
    assert report.layer_breaks
