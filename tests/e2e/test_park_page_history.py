"""A park page tells each resident's story with dates: BitBaza's breach and its recovery,
Ebang's breach and termination, milestones against actuals in roubles with their unit."""

import re
from collections.abc import Iterator

import httpx
import pytest
from tests.api.conftest import Live, scenario_home, serving_home


@pytest.fixture(scope="module")
def breach_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Russian park page of a home where one resident breached and recovered."""
    home = scenario_home(tmp_path_factory, "parks/commitments_and_breach.yaml")
    with serving_home(home) as live:
        yield _visible(_get(live, "/parks/krasnoyarsk-digital"))


def _get(live: Live, path: str) -> str:
    answer = httpx.get(f"{live.url}{path}", headers={"Accept-Language": "ru"}, timeout=60.0)
    assert answer.status_code == 200
    return answer.text


def _visible(html: str) -> str:
    text = re.sub(r"<[^>]+>", " ", html).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text)


def test_a_breach_and_its_recovery_read_with_their_dates(breach_page: str) -> None:
    bitbaza = breach_page[breach_page.index("Корпорация BitBaza") :]
    breach = bitbaza.index("нарушение обязательств")
    recovered = bitbaza.index("восстановлен")
    assert breach < recovered
    assert re.search(r"\d{4} г\., \d\d:\d\d:\d\d UTC — нарушение обязательств", bitbaza)


def test_milestones_read_against_actuals_in_roubles(breach_page: str) -> None:
    assert "1,5 млрд ₽" in breach_page and "950 млн ₽" in breach_page
    assert "не выполнено" in breach_page and "статус прекращён" in breach_page


def test_resident_agreements_are_listed_though_no_multi_party_one_names_the_park(
    breach_page: str,
) -> None:
    agreements = breach_page[breach_page.index("Соглашения резидентов об осуществлении") :]
    assert "Корпорация BitBaza" in agreements and "Ebang Communication" in agreements
    assert "Многосторонних соглашений по парку нет" in agreements
