"""The dashboard's meter file upload (``/energy/{market_id}/upload``): the form lists the meter
operators' keys; a good 80020 file previews its day, area, zone and SHA-256, each participant
by name and each hour of the market's clock in kWh, estimates marked and readings that replace
an estimate flagged, and for the chosen key the exact bytes to sign — which sign into accepted
transactions; every kind of bad file is a 400 page naming its line and element, never a 500."""

import base64
import hashlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from krai.app.ats_80020 import (
    ACTIVE_EXPORT,
    ACTIVE_IMPORT,
    AtsMessage,
    Channel,
    Interval,
    MeasuringPoint,
    write_80020,
)
from krai.entrypoints.words.i18n import Words
from krai.modules.energy import queries
from krai.modules.identity import queries as identity
from krai.tx.envelope import SIGNING_PREFIX, Transaction, sign
from tests.api.conftest import Live, serving_home
from tests.api.test_readings_upload import METER_FILE
from tests.e2e.test_cli_ats_80020 import BITBAZA, GENERATOR, krasnoyarsk, points_json

MARKET = "krasnoyarsk-dam"
PAGE = f"/energy/{MARKET}/upload"
ENTU, CENTRE = "Entu (Zhu Jingming)", "ЦОД «Енисей»"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Live, dict[str, str]]]:
    home = tmp_path_factory.mktemp("meter-page") / "home"
    inns = krasnoyarsk(home)
    with serving_home(home) as served:
        names = {org.name: org.inn for org in identity.organisations(served.services.storage)}
        yield served, {**inns, ENTU: names[ENTU], CENTRE: names[CENTRE]}


def signing_key(live: Live) -> str:
    """The form's value choosing the meter operator's key."""
    stored = live.services.keystore.load("grid")
    return f"{stored.key_id} {stored.organisation}"


def post(
    live: Live, data: bytes, points: str | None = None, path: str = PAGE, **form: str
) -> httpx.Response:
    files = {"file": ("day.xml", data, "application/xml")}
    if points is not None:
        files["points"] = ("points.json", points.encode(), "application/json")
    return httpx.post(f"{live.url}{path}", files=files, data=form, timeout=60.0)


def day_file(day: str, inn: str, kwh: int, estimated: int) -> bytes:
    """An 80020 file of one participant's hours of ``day``, its point's code its INN: ``kwh``
    consumed each hour, hour ``estimated`` an estimate."""
    hours = tuple(
        Interval(60 * h, 60 * (h + 1), Decimal(kwh), estimated=h + 1 == estimated)
        for h in range(24)
    )
    nothing = tuple(Interval(60 * h, 60 * (h + 1), Decimal(0)) for h in range(24))
    channels = (Channel(ACTIVE_IMPORT, hours), Channel(ACTIVE_EXPORT, nothing))
    point = MeasuringPoint(inn, "ввод 1", channels)
    message = AtsMessage(day, "2466000009", "2466000009", (point,), 7, area_name="Зона учёта")
    return write_80020(message)


def test_the_form_offers_the_meter_operators_key_and_the_market_links_it(
    live: tuple[Live, dict[str, str]],
) -> None:
    served, _ = live
    form = httpx.get(f"{served.url}{PAGE}", timeout=60.0)
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.text
    assert f'value="{signing_key(served)}"' in form.text
    assert "Сетевая компания (коммерческий учёт)" in form.text
    assert 'name="points"' in form.text and "UTC+7" in form.text
    assert f'href="{PAGE}"' in httpx.get(f"{served.url}/energy", timeout=60.0).text
    assert httpx.get(f"{served.url}/energy/nowhere/upload", timeout=60.0).status_code == 404


def test_a_good_file_previews_participants_hours_totals_and_the_bytes_to_sign(
    live: tuple[Live, dict[str, str]],
) -> None:
    served, inns = live
    size = served.services.storage.log_size()
    points, key = points_json(inns), signing_key(served)
    answer = post(served, METER_FILE, points, signing_key=key)
    assert answer.status_code == 200, answer.text
    page = answer.text
    assert "3 июня 2018" in page and "UTC+7" in page
    assert hashlib.sha256(METER_FILE).hexdigest() in page
    assert f'href="/organisations/{inns[BITBAZA]}"' in page and BITBAZA in page
    assert "00:00–01:00" in page and "23:00–24:00" in page
    assert "расчётное" in page  # the file's status-1 interval
    assert Words("ru").kwh(2_400_000) in page  # BitBaza's day: 100 000 kWh an hour
    assert served.services.storage.log_size() == size  # nothing recorded
    document = post(served, METER_FILE, points, f"{PAGE}.json", signing_key=key).json()
    anchor, readings = document["parts"]
    assert anchor["body"]["sha256"] == document["sha256"] == hashlib.sha256(METER_FILE).hexdigest()
    assert [p["name"] for p in document["participants"]] == sorted(
        [BITBAZA, GENERATOR], key=lambda name: inns[name]
    )
    assert document["totals"]["readings"] == 48 == len(readings["rows"])
    assert document["totals"]["estimated"] == 1
    for part in (anchor, readings):
        signed = _signed(served, part["to_sign"])
        assert signed["body"] == part["body"] and signed["nonce"] == part["nonce"]
        assert served.client.post("/v1/transactions", json=signed).status_code == 201
    held = queries.readings(served.services.storage, MARKET, "2018-06-03", inns[BITBAZA])
    assert held["1"].consumption_kwh == 100_000
    market_page = httpx.get(f"{served.url}/energy", timeout=60.0).text
    assert f"{Words('ru').date('2018-06-03')}: показаний 48" in market_page


def test_a_measured_reading_replacing_an_estimate_is_flagged(
    live: tuple[Live, dict[str, str]],
) -> None:
    served, inns = live
    estimate = {"participant_inn": inns[ENTU], "period": 3, "consumption_kwh": 31_000}
    body = {
        "market_id": MARKET,
        "delivery_date": "2018-06-04",
        "readings": [{**estimate, "generation_kwh": 0, "estimated": True}],
    }
    signed = served.signed("energy.submit_readings", body, nonce="entu-estimate", key="grid")
    assert served.client.post("/v1/transactions", json=signed).status_code == 201
    measured = day_file("2018-06-04", inns[ENTU], 30_500, estimated=0)
    document = post(served, measured, path=f"{PAGE}.json").json()
    rows = {row["period"]: row for row in document["parts"][1]["rows"]}
    assert rows[3]["replaces"] == {
        "consumption_kwh": 31_000,
        "generation_kwh": 0,
        "estimated": True,
    }
    assert [p for p, row in rows.items() if row["replaces"]] == [3]
    assert not any(row["estimated"] for row in rows.values())
    assert document["totals"]["replacing"] == 1
    page = post(served, measured).text
    words = Words("ru")
    assert f"заменит расчётное: {words.kwh(31_000)} / {words.kwh(0)}" in page
    assert "заменят прежние: 1" in page


def _signed(live: Live, to_sign: dict[str, Any]) -> dict[str, Any]:
    """``to_sign``'s bytes, checked to be its envelope's, signed with the meter operator's key."""
    message = base64.b64decode(to_sign["signing_bytes"])
    envelope = to_sign["transaction"]
    assert message.startswith(SIGNING_PREFIX)
    private = live.services.keystore.load("grid").private_key
    return sign(Transaction(**envelope), private).to_json()


BOMB = b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa">]><message>&a;</message>'


@pytest.mark.parametrize(
    ("data", "points", "form", "says"),
    [
        (
            METER_FILE.replace(b'status="1"', b'status="7"'),
            "points",
            {},
            "&lt;value&gt;: status=&#39;7&#39; is not one of 0, 1",
        ),
        (METER_FILE[: len(METER_FILE) // 2], "points", {}, "line"),
        (METER_FILE.replace(b'timezone="7"', b'timezone="3"'), "points", {}, "UTC+3"),
        (METER_FILE, None, {}, "the code is not an INN; give a points file"),
        (METER_FILE, "[]", {}, "the points file is not a JSON object"),
        (METER_FILE, '{"240010001000101": "7707083893"}', {}, "the points file does not name it"),
        (
            METER_FILE,
            '{"240010001000101": "7707083893", "240010001000202": "7707083893"}',
            {},
            "not participants of market krasnoyarsk-dam: 7707083893",
        ),
        (BOMB, None, {}, "DTDForbidden"),
        (b"", None, {}, "no file was chosen"),
        (
            METER_FILE,
            "points",
            {"signing_key": "0123456789abcdef 7707083893"},
            "is no active key of a meter_operator",
        ),
        ("centre", None, {}, ": period 6 of 2018-06-02 already has a measured reading"),
    ],
)
def test_a_bad_file_is_a_400_page_naming_its_line_and_element(
    live: tuple[Live, dict[str, str]],
    data: bytes | str,
    points: str | None,
    form: dict[str, str],
    says: str,
) -> None:
    served, inns = live
    if data == "centre":
        data = day_file("2018-06-02", inns[CENTRE], 20_000, estimated=0)
    assert isinstance(data, bytes)
    answer = post(served, data, points_json(inns) if points == "points" else points, **form)
    assert answer.status_code == 400, answer.text
    assert "Файл не принят, ничего не записано" in answer.text
    assert says in answer.text
    assert 'name="points"' in answer.text  # the form again, to try another file
