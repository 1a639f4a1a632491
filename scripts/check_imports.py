"""Check the package's house rules: no import cycles between modules, no module over 500 lines.

Parses every module of ``src/medcite`` with :mod:`ast` (nothing is imported or run), resolves relative
imports and ``from pkg import module`` to the module they name, and builds the graph of imports between
modules. Every import statement counts, also one inside a function (a lazy import is still a dependency
and must not hide a circle); only those under ``if TYPE_CHECKING:`` are left out (they never run).
Prints every strongly-connected component of more than one module (Tarjan's algorithm; a 2-module circle is
the smallest), every module over the line limit, and the count of ``.py`` files at the package root.

Usage: ``python scripts/check_imports.py [--package-dir src/medcite] [--max-lines 500] [--max-root 10]``.
Exits 1 when a cycle is found or a limit is passed, 0 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path


def module_name(path: Path, package_dir: Path) -> str:
    """Dotted name of the module at ``path`` (``pkg/__init__.py`` names the package ``pkg``)."""
    rel = path.relative_to(package_dir.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement of a module, wherever it stands (top level, inside functions, in try
    blocks), except under ``if TYPE_CHECKING:`` (those never run). An import inside a function is
    still a dependency between the two modules, so it cannot hide a circle."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
        else:
            stack.extend(ast.iter_child_nodes(node))
    return found


def imports_of(name: str, path: Path, modules: set[str]) -> set[str]:
    """The package modules that module ``name`` (file ``path``) imports (see :func:`_imports`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in _imports(tree):
        if isinstance(node, ast.Import):
            bases = [alias.name for alias in node.names]
            names: list[str] = []
        else:
            if node.level:
                parts = name.split(".")
                if not is_package:
                    parts = parts[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            bases = [base]
            names = [f"{base}.{alias.name}" for alias in node.names]
        submodules = [candidate for candidate in names if candidate in modules]  # ``from pkg import module``
        targets.update(submodules)
        if names and len(submodules) == len(names):
            continue  # only submodules named: the package itself is just their parent
        for base in bases:
            # ``import a.b.c`` / ``from a.b import x``: the deepest package module named
            while base and base not in modules:
                base = base.rpartition(".")[0]
            if base:
                targets.add(base)
    targets.discard(name)
    return targets


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly-connected components (Tarjan 1972) of more than one node, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def check(package_dir: Path, max_lines: int = 500, max_root: int = 10) -> list[str]:
    """Problems found in the package at ``package_dir``, one line each (empty when the house is in order)."""
    files = {module_name(p, package_dir): p for p in sorted(package_dir.rglob("*.py"))}
    modules = set(files)
    graph = {name: imports_of(name, path, modules) for name, path in files.items()}
    problems = []
    for component in strongly_connected(graph):
        kind = "circle" if len(component) == 2 else f"cycle of {len(component)} modules"
        problems.append(f"import {kind}: " + " <-> ".join(component))
    for name, path in files.items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > max_lines:
            problems.append(f"over {max_lines} lines: {name} ({lines})")
    root_files = sorted(package_dir.glob("*.py"))
    if len(root_files) > max_root:
        problems.append(f"{len(root_files)} .py files at the root of {package_dir} (at most {max_root})")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Print the problems found (or a one-line all-clear with the figures) and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dir = Path(__file__).resolve().parent.parent / "src" / "medcite"
    parser.add_argument("--package-dir", type=Path, default=default_dir)
    parser.add_argument("--max-lines", type=int, default=500)
    parser.add_argument("--max-root", type=int, default=10)
    args = parser.parse_args(argv)
    problems = check(args.package_dir, args.max_lines, args.max_root)
    for line in problems:
        print(line)
    files = list(args.package_dir.rglob("*.py"))
    largest = max(files, key=lambda p: len(p.read_text(encoding="utf-8").splitlines()))
    print(
        f"{len(files)} modules, {len(list(args.package_dir.glob('*.py')))} at the root; "
        f"largest {largest.relative_to(args.package_dir)} "
        f"({len(largest.read_text(encoding='utf-8').splitlines())} lines); "
        f"{len(problems)} problem(s)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
