"""Each module is one descriptor, and the descriptors agree with everything they name: the
module folders, the edges, the layer contracts, the dashboard's words, the docs and the
scenario tests. Adding a module and forgetting one of them fails here, not in production."""

import pkgutil
import tomllib
from pathlib import Path

import pytest
import typer
from fastapi import APIRouter
from typer._click import Context
from typer.main import get_command

import krai.modules
from krai.entrypoints.cli.lazy import ListingGroup, loaded
from krai.entrypoints.cli.main import COMMANDS
from krai.entrypoints.cli.main import app as cli
from krai.entrypoints.edges import load_edge
from krai.entrypoints.words.i18n import catalogue
from krai.modules.release import MODULES
from krai.state.descriptor import ModuleDescriptor

ROOT = Path(__file__).resolve().parents[3]
BY_NAME = {module.name: module for module in MODULES}


def test_every_module_folder_has_its_descriptor_in_the_release() -> None:
    folders = {info.name for info in pkgutil.iter_modules(krai.modules.__path__) if info.ispkg}
    assert folders == set(BY_NAME)
    assert len(BY_NAME) == len(MODULES)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_a_module_processes_only_its_own_transaction_types(module: ModuleDescriptor) -> None:
    machine = module.state_machine()
    assert machine.name == module.name
    types = {handler.type for handler in machine.handlers()}
    assert types
    assert all(name.startswith(f"{module.name}.") for name in types)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_a_descriptor_says_whether_its_machine_applies_the_genesis(
    module: ModuleDescriptor,
) -> None:
    """A replay builds only these at once (``replay_engine``): a module that applied the
    genesis without saying so would be left out of it."""
    assert hasattr(module.state_machine(), "apply_genesis") == module.genesis


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_every_edge_a_descriptor_names_exists_and_is_of_its_kind(
    module: ModuleDescriptor,
) -> None:
    for _, path in module.commands:
        load_edge(path, typer.Typer)
    for path in (*module.routers, *module.pages):
        load_edge(path, APIRouter)


def test_the_cli_groups_are_the_descriptors_and_collide_with_nothing() -> None:
    groups = [group for module in MODULES for group, _ in module.commands]
    assert len(set(groups)) == len(groups)
    assert all(COMMANDS[group] == path for module in MODULES for group, path in module.commands)
    assert not set(COMMANDS) & {command.name for command in cli.registered_commands}


def test_a_loaded_command_is_listed_once_in_its_place() -> None:
    group = get_command(cli)
    context = Context(group)
    before = group.list_commands(context)
    assert isinstance(group, ListingGroup)
    group.real_command(context, "log")
    assert "log" in group.commands
    assert group.list_commands(context) == before == ["init", *COMMANDS]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_lazy_command_loads_under_its_own_name(name: str) -> None:
    assert loaded(COMMANDS[name], name).name == name


def test_a_loader_refuses_an_edge_of_the_wrong_kind() -> None:
    with pytest.raises(TypeError, match="not a Typer"):
        load_edge("krai.entrypoints.api.parks:router", typer.Typer)


def test_the_layer_contracts_know_every_domain_module() -> None:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = settings["tool"]["importlinter"]["contracts"]
    independent = next(c for c in contracts if c["type"] == "independence")["modules"]
    domain = {f"krai.modules.{m.name}" for m in MODULES if m.kind == "domain"}
    assert set(independent) == domain


def test_every_navigation_entry_has_russian_and_english_words() -> None:
    words = catalogue()
    for module in MODULES:
        if module.navigation is not None:
            assert module.navigation.path in {"/" + module.name}
            assert {"ru", "en"} <= set(words[module.navigation.label])


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_every_module_has_its_scenarios_and_domain_modules_their_guide(
    module: ModuleDescriptor,
) -> None:
    assert list((ROOT / "tests" / "scenarios" / module.name).glob("*.yaml"))
    if module.kind == "domain":
        assert (ROOT / "docs" / "modules" / f"{module.name}.md").is_file()
