"""Reading a log's C2SP tlog-tiles over HTTP(S), or from a directory (a path or file:// URL).

``open_tile_source(location)`` picks the reader: ``http://`` and ``https://`` prefixes are
fetched with httpx (one connection kept alive, gzip accepted as tlog-tiles asks, a bounded
timeout, each answer capped at the size its resource may have); anything else is a
directory a static mirror wrote.
"""

from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

import httpx

from krai.adapters.static_tiles import DirectoryTileSource
from krai.app.remote_verify import TileFetchError, TileSource

TIMEOUT_S = 30.0
USER_AGENT = "krai-verify"


class HttpTileSource:
    """Fetches ``<prefix>/checkpoint`` and ``<prefix>/tile/...`` with one httpx client."""

    def __init__(self, prefix: str, timeout_s: float = TIMEOUT_S) -> None:
        self._prefix = prefix
        self._client = httpx.Client(
            base_url=prefix.rstrip("/") + "/",
            timeout=timeout_s,
            follow_redirects=True,
            headers={"Accept-Encoding": "gzip, identity", "User-Agent": USER_AGENT},
        )

    @property
    def location(self) -> str:
        """The URL prefix, as given."""
        return self._prefix

    def read(self, path: str, max_bytes: int) -> bytes:
        """The body of a 200 answer; ``TileFetchError`` for any other status, a transport
        error, or a body over ``max_bytes``."""
        try:
            with self._client.stream("GET", path) as response:
                if response.status_code != httpx.codes.OK:
                    raise TileFetchError(f"{response.url} answered HTTP {response.status_code}")
                return _capped(response, max_bytes)
        except httpx.HTTPError as error:
            raise TileFetchError(f"{self._prefix.rstrip('/')}/{path}: {error}") from None

    def close(self) -> None:
        """Close the connection."""
        self._client.close()

    def __enter__(self) -> "HttpTileSource":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _capped(response: httpx.Response, max_bytes: int) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise TileFetchError(f"{response.url} is larger than {max_bytes} bytes")
    return bytes(body)


def is_http(location: str) -> bool:
    """Whether ``location`` is an http:// or https:// URL."""
    return urlsplit(location).scheme in {"http", "https"}


def open_tile_source(location: str) -> TileSource:
    """The reader for an http(s) URL, a file:// URL or a directory path."""
    if is_http(location):
        return HttpTileSource(location)
    parts = urlsplit(location)
    if parts.scheme == "file":
        if parts.netloc not in {"", "localhost"}:
            raise TileFetchError(f"{location}: only local file:// URLs are read")
        return DirectoryTileSource(Path(unquote(parts.path)), location)
    return DirectoryTileSource(Path(location), location)
