"""Swagger UI and ReDoc render in a browser that can reach nothing but the server."""

from playwright.sync_api import Browser, Route


def test_swagger_ui_and_redoc_render_offline(base_url: str, browser: Browser) -> None:
    context = browser.new_context()
    elsewhere: list[str] = []

    def only_the_server(route: Route) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_server)
    try:
        page = context.new_page()
        page.goto(base_url + "/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=10_000)
        assert "krai" in page.inner_text(".swagger-ui .info .title")
        page.get_by_text("/v1/vault/enrol", exact=True).first.wait_for(timeout=10_000)
        assert page.locator(".btn.authorize").count() == 1, "the bearer scheme offers Authorize"
        page.goto(base_url + "/redoc")
        page.wait_for_selector("h1", timeout=10_000)
        assert "krai" in page.inner_text("h1")
    finally:
        context.close()
    assert not elsewhere, elsewhere
