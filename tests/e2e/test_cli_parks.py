"""The park registry from the command line: an operator registers, an investor reads and proves."""

import json
from pathlib import Path
from typing import Any

import pytest
from tests.e2e.test_cli import krai, krai_bytes, lines, run

from krai.log.checkpoint import open_checkpoint
from krai.log.hashing import leaf_hash
from krai.log.note import parse_vkey
from krai.log.verify import verify_inclusion

OPERATOR_INN, OPERATOR_OGRN = "1234567894", "1022200525819"


def build(home: Path, signer: str, type_name: str, body: dict[str, Any]) -> str:
    return krai(home, "tx", "build", type_name, "--signer", signer, "--body", json.dumps(body))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("parks") / "home"
    krai(home, "init", "--origin", "krai.example/parks")
    key = json.loads(krai(home, "keys", "generate", "gigabyte", "--org", OPERATOR_INN, "--json"))
    admission = {
        "inn": OPERATOR_INN,
        "ogrn": OPERATOR_OGRN,
        "name": "ООО «Гигабайт»",
        "roles": ["park_operator"],
        "public_key": key["public_key"],
    }
    region = {
        "region_id": "RU-24",
        "name_ru": "Красноярский край",
        "name_en": "Krasnoyarsk Krai",
        "time_zone": "Asia/Krasnoyarsk",
        "utc_offset_minutes": 420,
    }
    park = {
        "park_id": "krasnoyarsk-digital",
        "name_ru": "Индустриальный парк цифровых технологий",
        "name_en": "Krasnoyarsk Industrial Park of Digital Technologies",
        "kind": "industrial_park",
        "region_id": "RU-24",
        "total_area_m2": 250000,
        "saleable_area_m2": 200000,
        "source": "Пресс-релиз 15.03.2018",
    }
    facts = {
        "park_id": "krasnoyarsk-digital",
        "as_of": "2018-03-15",
        "source": "Пресс-релиз 15.03.2018",
        "facts": [{"name": "distance_to_regional_centre_m", "amount": 35000}],
    }
    substation = {
        "park_id": "krasnoyarsk-digital",
        "object_id": "main-substation",
        "kind": "substation",
        "name": "Главная понизительная подстанция",
        "timeline": [
            {"from_date": "2018-03-15", "capacity": 120000, "source": "более 120 МВт"},
            {"from_date": "2018-12-31", "capacity": 200000, "source": "до конца 2018 — 200 МВт"},
        ],
    }
    site = {
        "park_id": "krasnoyarsk-digital",
        "cadastral_number": "24:50:0400001:12",
        "area_m2": 50000,
        "land_category": "industry_energy_transport",
        "permitted_use": "Производственная деятельность (6.0)",
        "source": "Выписка ЕГРН (синтетическая)",
        "price_kopecks": 2500000000,
    }
    batch = (
        build(home, "operator", "identity.propose_admission", admission)
        + build(home, "operator", "parks.register_region", region)
        + build(home, "gigabyte", "parks.register_park", park)
        + build(home, "gigabyte", "parks.state_park_facts", facts)
        + build(home, "gigabyte", "parks.register_infrastructure", substation)
        + build(home, "gigabyte", "parks.register_site", site)
    )
    receipts = lines(krai(home, "tx", "submit", "-", stdin=batch))
    assert [r["index"] for r in receipts] == [1, 2, 3, 4, 5, 6]
    return home


def test_the_park_card_shows_facts_with_source_date_and_signer(home: Path) -> None:
    card = json.loads(
        krai(home, "parks", "show", "krasnoyarsk-digital", "--on", "2019-06-10", "--json")
    )
    assert card["park"]["status"] == "planned"
    assert card["park"]["operator"] == OPERATOR_INN
    [fact] = card["facts"]
    assert (fact["name"], fact["value"], fact["as_of"], fact["by"], fact["index"]) == (
        "distance_to_regional_centre_m",
        35000,
        "2018-03-15",
        OPERATOR_INN,
        4,
    )
    assert fact["stale"] is True
    assert card["power"] == {
        "from": "2019-06-10",
        "capacity_kw": 200000,
        "allocated_kw": 0,
        "free_kw": 200000,
    }


def test_a_fact_comes_with_a_proof_that_verifies_against_the_signed_checkpoint(home: Path) -> None:
    document = json.loads(
        krai(
            home, "parks", "fact", "krasnoyarsk-digital", "distance_to_regional_centre_m", "--json"
        )
    )
    index = document["fact"]["index"]
    entry = krai_bytes(home, "log", "entry", "--index", str(index))
    assert b'"amount":35000' in entry
    proof = document["inclusion"]
    assert proof["leaf_hash"] == leaf_hash(entry).hex()
    verify_inclusion(
        index,
        proof["size"],
        leaf_hash(entry),
        [bytes.fromhex(h) for h in proof["proof"]],
        bytes.fromhex(proof["root_hash"]),
    )
    verifier = parse_vkey(krai(home, "log", "vkey").strip())
    checkpoint = open_checkpoint(document["checkpoint"], [verifier], "krai.example/parks")
    assert checkpoint.root_hash.hex() == proof["root_hash"]


def test_investors_search_sites_and_read_the_power_timeline(home: Path) -> None:
    found = json.loads(
        krai(home, "parks", "sites", "--status", "free", "--min-area-m2", "10000", "--json")
    )
    assert [s["cadastral_number"] for s in found] == ["24:50:0400001:12"]
    assert json.loads(krai(home, "parks", "sites", "--max-price-kopecks", "100", "--json")) == []
    timeline = json.loads(krai(home, "parks", "power", "krasnoyarsk-digital", "--json"))
    assert [(r["from"], r["free_kw"]) for r in timeline] == [
        ("2018-03-15", 120000),
        ("2018-12-31", 200000),
    ]
    assert "24:50:0400001:12" in krai(home, "parks", "sites")


def test_unknown_parks_and_bad_dates_are_clear_errors(home: Path) -> None:
    missing = run("parks", "show", "nowhere", "--home", str(home))
    assert missing.returncode == 3
    assert "park nowhere is not registered" in missing.stderr
    bad_date = run(
        "parks", "show", "krasnoyarsk-digital", "--on", "2026-13-01", "--home", str(home)
    )
    assert bad_date.returncode == 2
    assert "is not a calendar date YYYY-MM-DD" in bad_date.stderr
