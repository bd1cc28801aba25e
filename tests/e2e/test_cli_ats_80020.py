"""Meter data imported and cleared positions exported in the ATS 80020 XML, from the command
line, on a home holding the Krasnoyarsk exchange's day (2 June 2018)."""

import hashlib
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from tests.e2e.test_cli import krai, krai_bytes, run
from tests.scenarios.scenario import Scenario
from tests.scenarios.sql_ledger import SqlLedger
from tests.scenarios.test_scenarios import HERE, _load

from krai.adapters.keystore import Keystore
from krai.app.ats_80020 import read_80020

FILES = Path(__file__).parents[1] / "fixtures" / "ats_80020"
METER_OPERATOR = "Сетевая компания (коммерческий учёт)"
BITBAZA, GENERATOR = "Корпорация BitBaza", "ООО «Енисейская генерация»"


def krasnoyarsk(path: Path) -> dict[str, str]:
    """A home at ``path`` holding the Krasnoyarsk day, with the meter operator's key named
    ``grid``; the INNs of BitBaza and the generator, whom the fixture's points measure."""
    scenario = Scenario(_load(HERE / "energy" / "krasnoyarsk_day.yaml"), SqlLedger, home=path)
    ledger = scenario.ledger
    assert isinstance(ledger, SqlLedger)
    scenario.run()
    ledger.close()
    seed = hashlib.sha256(f"krai-test-key:{METER_OPERATOR}".encode()).digest()
    Keystore(path / "keys").store("grid", ledger.inn(METER_OPERATOR), seed)
    return {name: ledger.inn(name) for name in (BITBAZA, GENERATOR)}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    path = tmp_path_factory.mktemp("ats") / "home"
    yield path, krasnoyarsk(path)


def points_json(inns: dict[str, str]) -> str:
    """The fixture's measuring points named by the participants' INNs."""
    return json.dumps({"240010001000101": inns[BITBAZA], "240010001000202": inns[GENERATOR]})


def points_file(tmp_path: Path, inns: dict[str, str]) -> Path:
    points = tmp_path / "points.json"
    points.write_text(points_json(inns), encoding="utf-8")
    return points


def test_a_days_80020_file_is_anchored_and_recorded_as_readings(
    home: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    path, inns = home
    source = FILES / "krasnoyarsk_2018-06-03.xml"
    command = ("energy", "import-readings", str(source), "--market", "krasnoyarsk-dam")
    options = ("--signer", "grid", "--points", str(points_file(tmp_path, inns)))
    imported = json.loads(krai(path, *command, *options, "--json"))
    sha256 = hashlib.sha256(source.read_bytes()).hexdigest()
    assert imported["sha256"] == sha256
    assert (imported["delivery_date"], imported["readings"], imported["estimated"]) == (
        "2018-06-03",
        48,
        1,
    )
    assert len(imported["receipts"]) == 2  # the anchor, then one energy.submit_readings
    again = run(*command, *options, "--home", str(path))
    assert again.returncode == 1
    assert "replay: nonce" in again.stderr  # the same file derives the same nonces


def test_a_bad_file_is_refused_with_its_line_and_nothing_recorded(
    home: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    path, _ = home
    text = (FILES / "krasnoyarsk_2018-06-03.xml").read_bytes()
    broken = tmp_path / "broken.xml"
    broken.write_bytes(text.replace(b'code="04"', b'code="05"'))
    before = krai_bytes(path, "log", "checkpoint")
    command = ("energy", "import-readings", str(broken), "--market", "krasnoyarsk-dam")
    refused = run(*command, "--signer", "grid", "--home", str(path))
    assert refused.returncode == 2
    assert "<measuringchannel>: code='05' is not one of 01, 02, 03, 04" in refused.stderr
    assert "line 166:" in refused.stderr
    good = str(FILES / "krasnoyarsk_2018-06-03.xml")
    unmapped = run(*command[:2], good, *command[3:], "--signer", "grid", "--home", str(path))
    assert unmapped.returncode == 2
    assert "the code is not an INN; give a points file" in unmapped.stderr
    assert krai_bytes(path, "log", "checkpoint") == before


def test_the_cleared_positions_are_exported_as_80020_the_importer_reads(
    home: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    path, inns = home
    out = tmp_path / "positions.xml"
    command = ("energy", "export-positions", "--market", "krasnoyarsk-dam", "--day", "2018-06-02")
    printed = krai(path, *command, "--format", "80020", "--out", str(out))
    assert "4 measuring points written" in printed  # Ebang never revealed
    message = read_80020(out.read_bytes())
    assert (message.day, message.timezone_hours) == ("2018-06-02", 7)
    by_code = {point.code: point for point in message.points}
    bitbaza, generator = by_code[inns[BITBAZA]], by_code[inns[GENERATOR]]
    bought = [i.kwh for i in bitbaza.channels[0].intervals]
    assert bought == [Decimal(100000)] * 24
    assert [i.kwh for i in generator.channels[1].intervals] == [Decimal(30000)] * 24
    assert krai_bytes(path, *command) == out.read_bytes()
    points = points_file(tmp_path, inns)
    refused = run(*command, "--points", str(points), "--home", str(path))
    assert refused.returncode == 2
    assert "points file: no measuring point for" in refused.stderr
