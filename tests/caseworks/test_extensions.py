"""The extension points: one typed kind (caseworks.extensions.registry.Registry), every
instance listed in caseworks.extensions, each filled by the apps once Django is set up."""

import ast
import gc
import importlib
from pathlib import Path

import pytest

import caseworks.extensions
from caseworks.extensions import REGISTRIES
from caseworks.extensions.registry import Registry

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["caseworks", "cases", "documents", "visits", "referrals", "volunteers", "community"]
PACKAGES += ["supervision", "demo"]


def _project_modules():
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def _constructs_registry(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name == "Registry":
                return True
    return False


def test_it_lists_every_registry_that_exists():
    gc.collect()
    # type(), not isinstance(): isinstance asks a lazy object's __class__, which evaluates it.
    alive = [obj for obj in gc.get_objects() if issubclass(type(obj), Registry)]
    unlisted = [r for r in alive if not any(r is listed for listed in REGISTRIES)]
    assert unlisted == []
    assert len(alive) >= len(REGISTRIES)


def test_it_finds_no_registry_made_outside_the_extensions_package():
    # Also the modules not imported when the apps are ready (a registry there would be
    # missed by the check above).
    extensions = ROOT / "caseworks" / "extensions"
    makers = {
        str(path.relative_to(ROOT))
        for path in _project_modules()
        if _constructs_registry(path) and path.parent != extensions
    }
    assert makers == set()


def _appends_to_another_module(path: Path) -> list[str]:
    """`module.attribute.append(...)`/`.add(...)`/`.extend(...)` with `module` imported from
    another package of the project: a bare list or set used as an extension point."""
    tree = ast.parse(path.read_text(), str(path))
    imported: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                imported[alias.asname or alias.name] = alias.name
    own = path.relative_to(ROOT).parts[0]
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"append", "add", "extend", "insert", "update"}
            and isinstance(node.func.value, ast.Attribute)
            and isinstance(node.func.value.value, ast.Name)
        ):
            source = imported.get(node.func.value.value.id, "")
            if source.split(".")[0] in PACKAGES and source.split(".")[0] != own:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {source}")
    return found


def test_no_app_fills_another_apps_bare_list():
    """Issue 30: an extension point is a Registry (one typed kind, listed in one module),
    never a module-level list or set that another app appends to."""
    found = [hit for path in _project_modules() for hit in _appends_to_another_module(path)]
    assert found == []


@pytest.mark.parametrize("registry", REGISTRIES, ids=lambda r: r.name)
def test_it_names_each_registry_by_where_it_lives(registry):
    module, attribute = registry.name.split(".")
    assert getattr(importlib.import_module(f"caseworks.extensions.{module}"), attribute) is registry
    assert registry.name in (caseworks.extensions.__doc__ or "")


@pytest.mark.parametrize("registry", REGISTRIES, ids=lambda r: r.name)
def test_it_has_providers_once_the_apps_are_ready(registry):
    assert len(registry) >= 1, registry


def test_it_registers_as_a_decorator_once_per_provider():
    registry: Registry[object] = Registry("test.providers")

    @registry.register
    def provider():
        return []

    assert provider.__name__ == "provider"
    registry.register(provider)
    assert list(registry) == [provider]
    registry.unregister(provider)
    assert list(registry) == []


def test_it_replaces_an_entry_with_the_same_key_in_its_place():
    registry: Registry[tuple[str, int]] = Registry("test.keyed", key=lambda entry: entry[0])
    for entry in [("a", 1), ("b", 2), ("a", 3)]:
        registry.register(entry)
    assert list(registry) == [("a", 3), ("b", 2)]
    assert registry["b"] == ("b", 2)
    assert "a" in registry and "c" not in registry
    with pytest.raises(KeyError):
        registry["c"]
