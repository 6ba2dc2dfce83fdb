"""The repository's import graph, read from the source (no imports run): which tunekit module
imports which, including imports inside functions, and which tunekit names the built-in
plugins use. tests/test_architecture.py keeps the rules of ../shared/DESIGN.md with it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# where each installed package's files live (pyproject.toml's package-dir)
PACKAGE_DIRS = {"tunekit": ROOT / "core", "tunekit.plugins": ROOT / "plugins",
                "tunekit.ui": ROOT / "ui"}


def modules() -> dict[str, Path]:
    """Every tunekit module name -> its file."""
    found: dict[str, Path] = {}
    for package, folder in PACKAGE_DIRS.items():
        for path in folder.rglob("*.py"):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            name = ".".join([package, *parts])
            # core/ holds tunekit; plugins/ and ui/ are mapped on their own
            if package == "tunekit" and parts and parts[0] in ("plugins", "ui"):
                continue
            found[name] = path
    return found


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if _is_package(path) else module.split(".")[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node but those under ``if TYPE_CHECKING:``: imports for the type checker alone
    never run, so they make no circle at run time."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If) and _type_checking(node):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))


def imports_of(module: str, path: Path, known: dict[str, Path], *,
               runtime: bool = True) -> Iterator[tuple[str, str | None, int]]:
    """(imported module, the name taken from it or None, line) for each tunekit import;
    ``runtime`` False counts the imports under ``if TYPE_CHECKING:`` too."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in _runtime_nodes(tree) if runtime else ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "tunekit":
                    yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, path, node)
            if source.split(".")[0] != "tunekit":
                continue
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in known:  # `from pkg import submodule`
                    yield submodule, None, node.lineno
                else:
                    yield source, alias.name, node.lineno


def import_graph() -> dict[str, set[str]]:
    """module -> the tunekit modules it imports (at the top or inside a function). An import of
    a package counts as an edge to its ``__init__``, so a submodule that takes a name from its
    own package while that package imports the submodule is a cycle."""
    known = modules()
    graph: dict[str, set[str]] = {name: set() for name in known}
    for module, path in known.items():
        for target, _name, _line in imports_of(module, path, known):
            if target not in known:
                continue
            graph[module].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as a list
    of module names, sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(start: str) -> None:
        # iterative, so deep graphs do not hit the recursion limit
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        item = stack.pop()
                        on_stack.discard(item)
                        component.append(item)
                        if item == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(found)


def plugin_imports() -> dict[tuple[str, str | None], list[str]]:
    """(module, name) -> "plugins/x.py:12" places, for every tunekit name the built-in plugins
    import from outside tunekit.plugins (``name`` None: the module itself)."""
    known = modules()
    used: dict[tuple[str, str | None], list[str]] = {}
    for module, path in known.items():
        if not module.startswith("tunekit.plugins"):
            continue
        for target, name, line in imports_of(module, path, known, runtime=False):
            if target.startswith("tunekit.plugins"):
                continue
            place = f"{path.relative_to(ROOT)}:{line}"
            used.setdefault((target, name), []).append(place)
        for target, name, line in _attribute_uses(path, known):
            used.setdefault((target, name), []).append(f"{path.relative_to(ROOT)}:{line}")
    return used


def _dotted(node: ast.AST) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def _attribute_uses(path: Path, known: dict[str, Path]) -> Iterator[tuple[str, str, int]]:
    """``tunekit.data.split_stratified`` written out after ``import tunekit``: (the longest
    module prefix, the name after it, line)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or id(node) in inner:
            continue  # the outermost attribute of a chain only
        parts = _dotted(node)
        if not parts or parts[0] != "tunekit":
            continue
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if module in known:
                yield module, parts[cut], node.lineno
                break
