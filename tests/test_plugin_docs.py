"""docs/plugins/ against the code: every hook documented with its exact signature and nothing
more, every kind of component and its callable's contract, every complete plugin in the docs
loading and keeping the contract, the tutorial's tests passing, the assistant understanding the
examples, and every hook having a test of its own (as datasette checks its plugin hooks)."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import sys
import types
from dataclasses import fields
from pathlib import Path

import pytest
import tunekit
from tunekit import hookspecs
from tunekit.components import COMPONENT_TYPES, KINDS
from tunekit.testing import check_component, check_plugin, manager_with, tiny_rows
from tunekit.testing.contract import CALLS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "plugins"
REFERENCE = DOCS / "reference.md"
HOOK_HEADING = re.compile(r"^### `(\w+)\(([^)]*)\)`$", re.MULTILINE)


def hooks() -> dict[str, list[str]]:
    """Every hook of the contract and the names of its arguments, in order."""
    return {name: list(inspect.signature(function).parameters)
            for name, function in vars(hookspecs).items()
            if callable(function) and getattr(function, f"{hookspecs.PROJECT}_spec", None)}


def documented_hooks() -> dict[str, list[str]]:
    found = {}
    for name, arguments in HOOK_HEADING.findall(REFERENCE.read_text(encoding="utf-8")):
        found[name] = [a.strip() for a in arguments.split(",") if a.strip()]
    return found


def sections(text: str) -> dict[str, str]:
    """``### heading`` -> the text below it, up to the next heading of level 2 or 3."""
    parts = re.split(r"^(#{2,3} .*)$", text, flags=re.MULTILINE)
    return {parts[i].lstrip("#").strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def plugin_blocks(path: Path) -> list[tuple[int, str]]:
    """``(line, source)`` of every Python block in ``path`` that is a complete plugin module."""
    text = path.read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"^```python\n(.*?)^```", text, re.MULTILINE | re.DOTALL):
        if "@tunekit.hookimpl" in match.group(1):
            found.append((text[:match.start()].count("\n") + 1, match.group(1)))
    return found


def as_module(name: str, source: str, origin: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = origin
    exec(compile(source, origin, "exec"), module.__dict__)  # noqa: S102 - our own docs
    return module


def doc_plugins() -> list[tuple[str, int, str]]:
    return [(path.name, line, source) for path in sorted(DOCS.glob("*.md"))
            for line, source in plugin_blocks(path)]


# ---------------------------------------------------------------- hooks


def test_the_contract_has_the_hooks_this_test_expects():
    assert set(hooks()) == {"register_datasets", "register_backbones", "register_strategies",
                            "register_metrics", "register_exporters", "on_run_start",
                            "on_run_event", "on_run_end"}


def test_every_hook_is_documented_with_its_exact_signature():
    documented = documented_hooks()
    for name, arguments in hooks().items():
        assert name in documented, f"reference.md has no '### `{name}(...)`' section"
        assert documented[name] == arguments, (
            f"reference.md documents {name}({', '.join(documented[name])}); "
            f"core/hookspecs.py says {name}({', '.join(arguments)})")


def test_the_reference_documents_no_hook_that_does_not_exist():
    extra = set(documented_hooks()) - set(hooks())
    assert not extra, f"reference.md documents hooks that core/hookspecs.py lacks: {extra}"


def test_every_hook_section_says_what_it_receives_and_returns():
    text = sections(REFERENCE.read_text(encoding="utf-8"))
    for name, arguments in hooks().items():
        body = text[f"`{name}({', '.join(arguments)})`"]
        for argument in arguments:
            assert f"`{argument}`" in body, f"{name}: argument {argument} is not described"
        assert "Returns nothing" in body, f"{name}: the return is not described"
        assert "Called" in body, f"{name}: when it is called is not said"


# ---------------------------------------------------------------- components


@pytest.mark.parametrize("kind", KINDS)
def test_every_component_kind_has_a_section_with_its_callables_contract(kind):
    text = sections(REFERENCE.read_text(encoding="utf-8"))
    title = COMPONENT_TYPES[kind].__name__
    assert title in text, f"reference.md has no '### {title}' section"
    body = text[title]
    work, arguments, _ = CALLS[kind]
    assert f"**`{work}({', '.join(arguments)}) -> " in body, f"{title}: no signature line"
    assert "Lifecycle" in body, f"{title}: the lifecycle is not said"
    assert "@tunekit.hookimpl" in body, f"{title}: no complete example"


def test_the_param_schema_and_common_fields_are_documented():
    text = sections(REFERENCE.read_text(encoding="utf-8"))
    for field in fields(tunekit.Param):
        assert f"| `{field.name}` |" in text["Param"], f"Param.{field.name} is not documented"
    common = text["Fields every component has"]
    for field in fields(tunekit.Component):
        assert f"`{field.name}`" in common, f"Component.{field.name} is not documented"


def test_every_error_the_reference_names_exists():
    text = sections(REFERENCE.read_text(encoding="utf-8"))["Errors to raise"]
    for name in re.findall(r"`tunekit\.(\w+Error)`", text):
        assert issubclass(getattr(tunekit, name), tunekit.TunekitError), name


# ---------------------------------------------------------------- the examples


@pytest.mark.parametrize(("doc", "line", "source"), doc_plugins(),
                         ids=[f"{d}:{n}" for d, n, _ in doc_plugins()])
def test_every_complete_plugin_in_the_docs_loads_and_keeps_the_contract(doc, line, source):
    module = as_module(f"docs_example_{line}", source, f"{DOCS / doc}:{line}")
    manager = manager_with((f"example-{line}", module), strict=False)
    assert manager.problems == [], manager.problems
    report = check_plugin(module, name=f"example-{line}", strict=False)
    assert report.ok, str(report)


def test_the_docs_hold_a_complete_example_for_every_kind_and_the_lifecycle():
    registered = set()
    lifecycle = set()
    for doc, line, source in doc_plugins():
        module = as_module(f"docs_example_{line}", source, f"{doc}:{line}")
        manager = manager_with((f"example-{line}", module))
        registered |= {kind for kind, _ in manager.plugins[f"example-{line}"].components}
        lifecycle |= {name for name in hooks() if name.startswith("on_run_")
                      and hasattr(module, name)}
    assert registered == set(KINDS)
    assert lifecycle == {"on_run_start", "on_run_event", "on_run_end"}


def tutorial_plugin(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    (line, source), = plugin_blocks(DOCS / "tutorial.md")
    module = as_module("tunekit_kappa", source, f"tutorial.md:{line}")
    monkeypatch.setitem(sys.modules, "tunekit_kappa", module)
    return module


def test_the_tutorials_own_tests_pass_against_its_plugin(monkeypatch):
    tutorial_plugin(monkeypatch)
    text = (DOCS / "tutorial.md").read_text(encoding="utf-8")
    (tests,) = [b for b in re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)
                if "def test_" in b]
    namespace: dict = {}
    exec(compile(tests, "tutorial.md (tests/test_kappa.py)", "exec"), namespace)  # noqa: S102
    found = [test for name, test in namespace.items() if name.startswith("test_")]
    for test in found:
        test()
    assert len(found) == 3


def test_the_tutorials_pyproject_declares_its_module_in_the_tunekit_group():
    import tomllib

    text = (DOCS / "tutorial.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"^```toml\n(.*?)^```", text, re.M | re.S)
    project = tomllib.loads(block)
    assert project["project"]["entry-points"]["tunekit"] == {"kappa": "tunekit_kappa"}
    assert project["tool"]["setuptools"]["py-modules"] == ["tunekit_kappa"]


def test_the_assistant_understands_the_documented_components(monkeypatch):
    from tunekit.ui.assistant import Assistant

    modules = [as_module(f"docs_example_{line}", source, f"{doc}:{line}")
               for doc, line, source in doc_plugins()]
    assistant = Assistant(manager_with(*modules))
    assistant.respond("train the layer norms with norm scale 0.8 and also report cohen's kappa")
    spec = assistant.spec()
    assert spec["strategy"] == {"name": "norms-and-head", "norm_scale": 0.8}
    assert {"name": "kappa"} in spec["metrics"]
    answer = assistant.respond("what is kappa?").text
    assert "agree with the true labels beyond what chance" in answer
    assert "share of the head's" in assistant.respond("what does norm scale do?").text


def test_the_testing_guide_shows_what_check_component_really_says():
    text = (DOCS / "testing.md").read_text(encoding="utf-8")
    documented = _registered(as_module("error_rate", _reference_block("error-rate"), "ref"))
    wrong_way = dataclasses.replace(documented, higher_is_better=True)
    report = check_component(wrong_way, strict=False)
    shown = "\n".join(str(report).splitlines()[:3])  # the heading and the problem
    assert shown in text, shown

    def load(options, context):
        rows = [{"review": r["text"], "label": r["label"]} for r in tiny_rows(20)]
        return tunekit.DataSplits(train=rows[:16], validation=rows[16:])

    mine = tunekit.Dataset(name="mine", description="Reviews with their own column names.",
                           load=load)
    shown = "\n".join(str(check_component(mine, strict=False)).splitlines()[:3])
    assert shown in text, shown


def _reference_block(name: str) -> str:
    return next(source for _, source in plugin_blocks(REFERENCE) if f'name="{name}"' in source)


def _registered(module: types.ModuleType) -> tunekit.Component:
    found: list = []
    for hook in ("register_datasets", "register_backbones", "register_strategies",
                 "register_metrics", "register_exporters"):
        if hasattr(module, hook):
            getattr(module, hook)(found.append)
    (component,) = found
    return component


# ---------------------------------------------------------------- a test for every hook


def test_every_hook_has_a_test_of_its_own():
    """As datasette does: each hook has a test named after it, somewhere in tests/."""
    names = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {node.name for node in ast.walk(tree)
                  if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    missing = [hook for hook in hooks() if not any(hook in name for name in names)]
    assert not missing, f"hooks without a test named after them: {missing}"
