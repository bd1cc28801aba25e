"""The launcher runs ``krai energy clear --orders BOOK --json`` without Typer when its
arguments are the plain ones, printing exactly what the command prints; everything else —
help, usage errors, refused or unreadable books — is Typer's, word for word (ADR 0047)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from krai.entrypoints.cli.launch import plain_clear

LAUNCHER = "from krai.entrypoints.cli.launch import main; main()"
TYPER = "from krai.entrypoints.cli.main import main; main()"
PROBE = """
import os, sys
from krai.entrypoints.cli.launch import main
def loaded(code):
    names = ("typer", "click", "rich", "msgspec")
    print("loaded:", *(name for name in names if name in sys.modules), file=sys.stderr)
    sys.exit(code)
os._exit = loaded  # the plain path ends the process at once
main()
loaded(0)
"""
GRID = {
    "import_limit_kwh": 5,
    "export_limit_kwh": 3,
    "grid_sell_price_kopecks_per_mwh": 500_000,
    "grid_buy_price_kopecks_per_mwh": 200_000,
}


def order(order_id: str, side: str, price: int, energy: int) -> dict[str, object]:
    return {"id": order_id, "side": side, "price_kopecks_per_mwh": price, "energy_kwh": energy}


BOOKS = {
    "cleared.json": {
        **GRID,
        "orders": [order("b", "buy", 450_000, 7), order("a", "sell", 300_000, 4)],
    },
    "twice.json": {**GRID, "orders": [order("a", "buy", 1, 1), order("a", "sell", 1, 1)]},
    "float.json": {**GRID, "orders": [order("a", "buy", 1, 1)], "import_limit_kwh": 1.5},
    "list.json": [1, 2],
}


@pytest.fixture
def books(tmp_path: Path) -> Path:
    for name, book in BOOKS.items():
        (tmp_path / name).write_text(json.dumps(book))
    (tmp_path / "broken.json").write_text('{"orders": [')
    return tmp_path


def run(code: str, arguments: list[str]) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", code, *arguments],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        ["--orders", "{books}/cleared.json", "--json"],
        ["--json", "--orders={books}/cleared.json", "--certificate"],
        ["--certificate", "--json", "--orders", "{books}/cleared.json"],
        ["--orders", "{books}/twice.json", "--json"],
        ["--orders", "{books}/float.json", "--json"],
        ["--orders", "{books}/list.json", "--json"],
        ["--orders", "{books}/broken.json", "--json"],
        ["--orders", "{books}/absent.json", "--json"],
        ["--orders", "{books}", "--json"],
        ["--orders", "{books}/cleared.json"],
        ["--orders", "{books}/cleared.json", "--json", "--json"],
        ["--orders", "{books}/cleared.json", "--json", "--orders", "{books}/twice.json"],
        ["--orders", "--json"],
        ["--orders=", "--json"],
        ["--json", "--orders"],
        ["--json"],
        ["--json", "--help"],
        ["--orders", "{books}/cleared.json", "--json", "--unknown"],
        ["--orders", "{books}/cleared.json", "--json", "extra"],
    ],
)
def test_the_launcher_prints_and_exits_as_typer_does(books: Path, arguments: list[str]) -> None:
    command = ["energy", "clear", *(part.format(books=books) for part in arguments)]
    assert run(LAUNCHER, command) == run(TYPER, command)


def test_the_plain_clearing_loads_neither_typer_nor_click_nor_rich_nor_msgspec(books: Path) -> None:
    command = ["energy", "clear", "--orders", str(books / "cleared.json"), "--json"]
    code, out, err = run(PROBE, command)
    assert code == 0
    assert err.strip() == "loaded:"
    assert json.loads(out)["accepted"] == [
        {"id": "a", "energy_kwh": 4},
        {"id": "b", "energy_kwh": 4},
    ]


@pytest.mark.parametrize(
    ("arguments", "plain"),
    [
        (["energy", "clear", "--orders", "b.json", "--json"], (Path("b.json"), False)),
        (["energy", "clear", "--json", "--orders=b.json"], (Path("b.json"), False)),
        (["energy", "clear", "--certificate", "--orders", "b", "--json"], (Path("b"), True)),
        (["energy", "clear", "--orders", "b.json"], None),
        (["energy", "clear", "--orders", "-b.json", "--json"], None),
        (["energy", "clear", "--orders", "", "--json"], None),
        (["energy", "clear", "--orders", "a", "--orders", "b", "--json"], None),
        (["energy", "clear", "--orders=a", "--orders=b", "--json"], None),
        (["energy", "clear", "--orders", "a", "--json", "--certificate", "--certificate"], None),
        (["energy", "clear", "--orders", "a", "--json", "--"], None),
        (["energy", "clear", "--orders", "a", "--json", "--help"], None),
        (["energy", "list", "--orders", "a", "--json"], None),
        (["--help"], None),
        ([], None),
    ],
)
def test_only_the_plain_arguments_skip_typer(
    arguments: list[str], plain: tuple[Path, bool] | None
) -> None:
    assert plain_clear(arguments) == plain
