import pytest

from krai.modules.identity.model import is_valid_inn, is_valid_ogrn


@pytest.mark.parametrize("inn", ["7734250208", "1234567894", "123456789047"])
def test_valid_inns(inn: str) -> None:
    assert is_valid_inn(inn)


@pytest.mark.parametrize(
    "inn",
    [
        "7734250209",
        "1234567890",
        "123456789048",
        "12345",
        "77342502O8",
        "",
        "\uff17\uff17\uff13\uff14\uff12\uff15\uff10\uff12\uff10\uff18",  # full-width digits
    ],
)
def test_invalid_inns(inn: str) -> None:
    assert not is_valid_inn(inn)


@pytest.mark.parametrize(
    "ogrn", ["1027734003461", "1022200525819", "385768585948949", "300000000000060"]
)
def test_valid_ogrns(ogrn: str) -> None:
    assert is_valid_ogrn(ogrn)


@pytest.mark.parametrize(
    "ogrn", ["1027734003462", "4027734003461", "385768585948940", "30000000000006", "abc"]
)
def test_invalid_ogrns(ogrn: str) -> None:
    assert not is_valid_ogrn(ogrn)
