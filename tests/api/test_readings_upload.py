"""``POST /v1/energy/readings``: an ATS 80020 file read into the transactions the meter
operator signs — the file's anchor, then its readings; the server signs and records nothing."""

from collections.abc import Iterator

import pytest

from krai.modules.energy import queries
from krai.modules.notary import queries as notary
from tests.api.conftest import Live, serving_home
from tests.e2e.test_cli_ats_80020 import BITBAZA, FILES, krasnoyarsk, points_json

METER_FILE = (FILES / "krasnoyarsk_2018-06-03.xml").read_bytes()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Live, dict[str, str]]]:
    home = tmp_path_factory.mktemp("readings-upload") / "home"
    inns = krasnoyarsk(home)
    with serving_home(home) as served:
        yield served, inns


def upload(live: Live, data: bytes, points: str | None, **form: str) -> "dict[str, object]":
    files = {"file": ("day.xml", data, "application/xml")}
    if points is not None:
        files["points"] = ("points.json", points.encode(), "application/json")
    answer = live.client.post("/v1/energy/readings", files=files, data=form)
    return {"status": answer.status_code, **answer.json()}


def test_an_uploaded_file_answers_the_transactions_to_sign_and_they_record_it(
    live: tuple[Live, dict[str, str]],
) -> None:
    served, inns = live
    size = served.services.storage.log_size()
    answer = upload(served, METER_FILE, points_json(inns), market_id="krasnoyarsk-dam")
    assert answer["status"] == 200, answer
    assert served.services.storage.log_size() == size
    anchor, readings = answer["parts"]  # type: ignore[misc]
    assert (anchor["type"], anchor["body"]["sha256"]) == ("notary.anchor", answer["sha256"])
    assert (readings["type"], len(readings["body"]["readings"])) == ("energy.submit_readings", 48)
    for part in (anchor, readings):
        signed = served.signed(
            part["type"], part["body"], nonce=part["nonce"], key="grid", version=part["version"]
        )
        assert served.client.post("/v1/transactions", json=signed).status_code == 201
    assert notary.anchor(served.services.storage, str(answer["sha256"])) is not None
    held = queries.readings(served.services.storage, "krasnoyarsk-dam", "2018-06-03", inns[BITBAZA])
    assert held["1"].consumption_kwh == 100000


@pytest.mark.parametrize(
    ("sent", "code", "detail"),
    [
        (
            (METER_FILE.replace(b'status="1"', b'status="7"'), None, {}),
            "malformed_file",
            "<value>: status='7' is not one of 0, 1",
        ),
        ((METER_FILE, None, {}), "malformed_file", "the code is not an INN; give a points file"),
        ((METER_FILE, "[]", {}), "malformed_file", "the points file is not a JSON object"),
        (
            (METER_FILE, '{"240010001000101": "7707083893", "240010001000202": "7707083893"}', {}),
            "rule_violation",
            "not participants of market krasnoyarsk-dam: 7707083893",
        ),
        ((METER_FILE, None, {"market_id": "nowhere"}), "not_found", "market nowhere is not open"),
        (
            (
                b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa">]><message>&a;</message>',
                None,
                {},
            ),
            "malformed_file",
            "DTDForbidden",
        ),
    ],
)
def test_a_malformed_file_is_a_problem_naming_its_element(
    live: tuple[Live, dict[str, str]],
    sent: tuple[bytes, str | None, dict[str, str]],
    code: str,
    detail: str,
) -> None:
    served, _ = live
    data, points, form = sent
    answer = upload(served, data, points, **{"market_id": "krasnoyarsk-dam", **form})
    assert answer["code"] == code, answer
    assert detail in str(answer["detail"])
