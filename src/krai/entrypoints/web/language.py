"""Which of krai's languages a dashboard request wants: ``?lang=en`` (or ``ru``), remembered
in a cookie, then the browser's ``Accept-Language`` (its most preferred language krai
speaks), then Russian."""

from starlette.requests import Request

from krai.entrypoints.words.i18n import DEFAULT_LANGUAGE, LANGUAGES

COOKIE = "krai_lang"


def language_of(request: Request) -> str:
    """The language the request asks for: query, then cookie, then Accept-Language, then
    Russian."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if candidate in LANGUAGES:
            return str(candidate)
    return accepted_language(request.headers.get("accept-language", ""))


def accepted_language(header: str) -> str:
    """The most preferred of krai's languages in an ``Accept-Language`` header (RFC 9110
    §12.5.4: ``q`` weights, ties in the header's order, ``q=0`` refuses), else Russian."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, _, parameters = item.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        weight = _weight(parameters)
        if language in LANGUAGES and weight > 0:
            ranked.append((-weight, position, language))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def _weight(parameters: str) -> float:
    name, _, value = parameters.strip().partition("=")
    if name.strip().lower() != "q":
        return 1.0
    try:
        return max(0.0, min(1.0, float(value)))
    except ValueError:
        return 0.0
