"""``krai demo``: the world of the source texts, built once through the real sequencer into a
SQLite home, read back through the CLI; a second build gives the same log byte for byte."""

import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.e2e.test_cli import krai

from krai.demo.payments import ANOMALIES
from krai.entrypoints.cli.demo import MARKER
from krai.entrypoints.words.i18n import Words
from krai.log.tile_check import parse_entry_bundle
from krai.log.tiles import parse_entry_bundle_path

BUILD_TIMEOUT_SECONDS = 900

RU = Words("ru")


@dataclass(frozen=True)
class Demo:
    home: Path
    output: str
    seconds: float


def build(home: Path) -> Demo:
    """Run ``krai demo --no-serve`` as a user would; its wall time is reported, not asserted."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "krai", "demo", "--no-serve", "--home", str(home)],
        capture_output=True,
        text=True,
        check=False,
        timeout=BUILD_TIMEOUT_SECONDS,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    return Demo(home, result.stdout, time.perf_counter() - started)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return build(tmp_path_factory.mktemp("demo") / "home")


def read(demo: Demo, *args: str) -> Any:
    return json.loads(krai(demo.home, *args, "--json"))


def test_the_build_reports_its_time_and_verifies(
    demo: Demo, record_property: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    record_property("demo_build_seconds", round(demo.seconds, 1))
    with capsys.disabled():
        print(f"\nkrai demo --no-serve built and verified in {demo.seconds:.1f} s")
    assert "Built in" in demo.output
    assert "sound:" in demo.output
    assert "sound:" in krai(demo.home, "verify")


def test_the_demo_replayed_on_disk_reaches_the_state_replayed_in_memory(demo: Demo) -> None:
    in_memory = read(demo, "verify")
    assert read(demo, "verify", "--memory-mb", "1") == in_memory  # 1 MB: most of it on disk


def test_the_demo_published_as_tiles_verifies_from_them_alone(demo: Demo, tmp_path: Path) -> None:
    """Every entry fits a C2SP entry bundle: a mirror of the tiles replays the whole world."""
    tiles = tmp_path / "tiles"
    krai(demo.home, "log", "export-tiles", str(tiles))
    vkey = krai(demo.home, "log", "vkey").strip()
    checked = json.loads(
        krai(tmp_path / "nowhere", "verify", "--url", str(tiles), "--vkey", vkey, "--json")
    )
    assert checked["entries"] == read(demo, "log", "checkpoint")["size"]


def test_a_second_build_over_the_first_gives_the_same_log(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    again = tmp_path / "again"
    shutil.copytree(demo.home, again)  # an earlier demo home: removed and rebuilt
    rebuilt = build(again)
    with capsys.disabled():
        print(f"\nthe second build took {rebuilt.seconds:.1f} s")
    first, second = read(demo, "log", "checkpoint"), read(rebuilt, "log", "checkpoint")
    assert second["size"] == first["size"] > 10_000
    assert second["root_hash"] == first["root_hash"]
    for index in (0, 1, first["size"] // 2, first["size"] - 1):
        entry = ("log", "entry", "--index", str(index))
        assert krai(rebuilt.home, *entry) == krai(demo.home, *entry)


def test_every_entry_fits_a_tiles_entry_bundle(demo: Demo, tmp_path: Path) -> None:
    """Exported as C2SP tlog-tiles, as a mirror publishes it, the log's entry bundles hold
    every entry, each within a bundle's 16-bit length: the bank statements, in parts too."""
    report = read(demo, "log", "export-tiles", str(tmp_path))
    entries: dict[int, bytes] = {}
    for bundle in (tmp_path / "tile" / "entries").rglob("*"):
        if bundle.is_file():
            index, width = parse_entry_bundle_path(bundle.relative_to(tmp_path).as_posix())
            for offset, entry in enumerate(parse_entry_bundle(bundle.read_bytes(), width)):
                entries[256 * index + offset] = entry
    assert sorted(entries) == list(range(report["size"]))
    largest = max(len(entry) for entry in entries.values())
    assert 60_000 < largest <= 0xFFFF  # the largest are parts of bank statements


def test_a_directory_the_demo_did_not_make_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "krai", "demo", "--no-serve", "--home", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert "was not made by `krai demo`" in result.stderr
    assert not (tmp_path / MARKER).exists()
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_the_parks_of_the_sources(demo: Demo) -> None:
    parks = {p["park_id"]: p for p in read(demo, "parks", "list")}
    assert set(parks) == {"krasnoyarsk-digital", "great-stone", "minusinsk"}
    power = read(demo, "parks", "power", "krasnoyarsk-digital")
    assert {row["capacity_kw"] for row in power} == {120_000}  # «более 120 МВт»: 120 MW sure
    assert all(row["free_kw"] >= 0 for row in power)
    card = read(demo, "parks", "show", "krasnoyarsk-digital", "--on", "2019-01-10")
    shown = {o["object_id"]: RU.capacity(o) for o in card["infrastructure"]}
    assert shown == {"main-substation": "более 120\u00a0МВт", "bitbaza-generation": "200\u00a0МВт"}
    great_stone = read(demo, "parks", "show", "great-stone", "--on", "2026-01-01")
    facts = {f["name"]: RU.fact(f) for f in great_stone["facts"]}
    assert facts["residents_count"] == "более 120"
    minusinsk = read(demo, "parks", "show", "minusinsk", "--on", "2026-01-01")
    assert {RU.capacity(o) for o in minusinsk["infrastructure"]} == {"мощность неизвестна"}
    assert minusinsk["power"]["capacity_kw"] == 0


def test_bitbaza_commits_three_and_a_half_billion_and_breaches_once(demo: Demo) -> None:
    residents = read(demo, "parks", "residents", "krasnoyarsk-digital", "--on", "2020-02-01")
    assessments = Counter(c["status"] for r in residents for c in r["commitments"])
    assert assessments["missed"] == 2  # BitBaza at the end of 2018, Ebang never reporting
    committed = [c["committed_investment_kopecks"] for r in residents for c in r["commitments"]]
    assert 350_000_000_000 in committed


def test_the_agreement_of_sever_and_great_stone_is_in_force(demo: Demo) -> None:
    agreements = {a["agreement_id"]: a for a in read(demo, "parks", "agreements")}
    assert agreements["sever-great-stone"]["status"] == "in_force"
    names = {s["name"] for s in agreements["sever-great-stone"]["signatories"]}
    assert names == {"Евгений Колганов", "Александр Ярошенко"}
    targets = read(demo, "parks", "targets", "--region", "RU-14", "--on", "2025-12-31")
    assert {t["target_value"] for t in targets} == {70_000, 12_000_000_000_000}
    assert all(t["on_track"] is None and not t["baseline_known"] for t in targets)


def test_a_week_of_hourly_auctions_behind_the_120_mw_connection(demo: Demo) -> None:
    congested = []
    for day in range(4, 11):
        prices = read(demo, "energy", "prices", "krasnoyarsk-dam", f"2018-06-{day:02d}")
        assert len(prices) == 24
        assert all(row["import_kwh"] <= 120_000 for row in prices)
        congested += [row["congested"] for row in prices]
    assert any(congested), "the connection never binds"
    assert not all(congested), "the connection binds every hour"


def test_the_markets_settlement_account_nets_to_zero_and_the_grid_is_paid(demo: Demo) -> None:
    market = json.loads(krai(demo.home, "energy", "market", "krasnoyarsk-dam", "--json"))
    assert market["settlement_balance_kopecks"] == 0
    assert market["grid_account"] == "rosseti:energy" and market["grid_balance_kopecks"] > 0
    assert "the market holds 0" in demo.output


def test_the_audit_finds_the_injected_anomalies(demo: Demo) -> None:
    report = read(demo, "payments", "audit")
    kinds = Counter(finding["kind"] for finding in report["findings"])
    assert set(kinds) == set(ANOMALIES)
    assert kinds["paid_after_death"] == 3  # March, April and May, after a death in March


def test_the_demos_two_witnesses_cosigned_what_it_publishes(demo: Demo) -> None:
    assert "Cosigned by both witnesses" in demo.output
    published = read(demo, "log", "published")
    assert published["size"] == read(demo, "log", "checkpoint")["size"]
    assert published["quorum"] == 2
    assert sorted(c["key_name"] for c in published["cosignatures"]) == [
        "witness.demo.krai.example/w1",
        "witness.demo.krai.example/w2",
    ]


def test_a_write_into_the_demo_keeps_its_simulated_time(demo: Demo, tmp_path: Path) -> None:
    """`krai tx submit` on a copy of the demo home: the new entry keeps the world's last time,
    so the audit's day, and what it finds, stay where the demo left them."""
    home = tmp_path / "copy"
    shutil.copytree(demo.home, home)
    before = read(demo, "log", "checkpoint")
    last = json.loads(krai(home, "log", "entry", "--index", str(before["size"] - 1)))
    audit = read(demo, "payments", "audit")
    body = {"sha256": "ef" * 32, "title": "Письмо после демо", "kind": "report"}
    signed = krai(
        home, "tx", "build", "notary.anchor", "--signer", "operator", "--body", json.dumps(body)
    )
    receipt = json.loads(krai(home, "tx", "submit", "-", stdin=signed))
    assert receipt["index"] == before["size"]
    assert receipt["time_ms"] == last["time_ms"], "the real date entered the simulated world"
    after = json.loads(krai(home, "payments", "audit", "--json"))
    assert after["ledger"]["as_of"] == audit["ledger"]["as_of"]
    assert len(after["findings"]) == len(audit["findings"])
