"""The API's own documentation works without the internet, and declares how the vault is opened."""

import re

import pytest

from tests.api.conftest import Live

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_documentation_pages_load_only_the_servers_own_assets(ledger: Live, path: str) -> None:
    page = ledger.client.get(path)
    assert page.status_code == 200
    assets = ASSET.findall(page.text)
    assert assets, "the page loads its script from somewhere"
    for asset in assets:
        assert asset.startswith("/"), f"{path} loads {asset} from elsewhere"
        assert ledger.client.get(asset).status_code == 200, asset
    assert "cdn." not in page.text and "fonts.googleapis" not in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_the_vault_routes_declare_the_operators_bearer_scheme(ledger: Live) -> None:
    document = ledger.client.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["operatorToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["operatorToken"]["description"],
    }
    secured = {
        path
        for path, operations in document["paths"].items()
        for operation in operations.values()
        if {"operatorToken": []} in operation.get("security", [])
    }
    assert secured == {"/v1/vault/enrol", "/v1/vault/access"}


@pytest.mark.parametrize(
    ("header", "cookie", "query", "language"),
    [
        ("en-GB,en;q=0.9", None, None, "en"),
        ("de-DE,de;q=0.9,en;q=0.5,ru;q=0.4", None, None, "en"),
        ("en;q=0.3,ru;q=0.8", None, None, "ru"),
        ("en;q=0, de", None, None, "ru"),
        ("*", None, None, "ru"),
        ("en", "ru", None, "ru"),
        ("en", "ru", "en", "en"),
        ("ru", None, "en", "en"),
    ],
    ids=["english", "first-known", "weights", "refused", "any", "cookie-wins", "query-wins", "q"],
)
def test_the_dashboard_speaks_the_browsers_language_unless_told_otherwise(
    ledger: Live, header: str, cookie: str | None, query: str | None, language: str
) -> None:
    headers = {"accept-language": header}
    if cookie is not None:
        headers["cookie"] = f"krai_lang={cookie}"
    params = {} if query is None else {"lang": query}
    ledger.client.cookies.clear()
    page = ledger.client.get("/", headers=headers, params=params)
    ledger.client.cookies.clear()
    assert page.status_code == 200
    assert f'<html lang="{language}"' in page.text
