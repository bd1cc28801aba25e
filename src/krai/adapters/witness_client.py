"""The log's HTTP client for witnesses (C2SP tlog-witness ``add-checkpoint``) and mirrors
(C2SP tlog-mirror ``add-checkpoint``, ``add-entries``), on httpx.

One keep-alive connection pool for all witnesses, as tlog-witness recommends; a witness that
does not answer within the timeout counts as unreachable for that round.
"""

import gzip

import httpx

from krai.app.witnesses import WitnessReply, WitnessUnreachableError

TIMEOUT_S = 5.0
ENTRIES_TIMEOUT_S = 60.0
"""A mirror answers add-entries after storing and verifying them: longer than a witness."""
TEXT = "text/plain; charset=utf-8"
GZIP_LEVEL = 5
MAX_ANSWER_BYTES = 64 * 1024


class HttpWitnessClient:
    """``WitnessClient`` over HTTP."""

    def __init__(self, timeout_s: float = TIMEOUT_S) -> None:
        self._client = httpx.Client(timeout=timeout_s, follow_redirects=False)

    def add_checkpoint(self, url: str, body: bytes) -> WitnessReply:
        """POST ``body`` to ``<url>/add-checkpoint``."""
        return self._post(url, "add-checkpoint", body, {"Content-Type": TEXT}, TIMEOUT_S)

    def add_entries(self, url: str, body: bytes) -> WitnessReply:
        """POST ``body`` to a mirror's ``<url>/add-entries``, gzip-compressed (C2SP
        tlog-mirror: mirrors must accept it)."""
        headers = {"Content-Type": "application/octet-stream", "Content-Encoding": "gzip"}
        data = gzip.compress(body, GZIP_LEVEL)
        return self._post(url, "add-entries", data, headers, ENTRIES_TIMEOUT_S)

    def _post(
        self, url: str, name: str, body: bytes, headers: dict[str, str], timeout_s: float
    ) -> WitnessReply:
        target = url.rstrip("/") + "/" + name
        try:
            response = self._client.post(target, content=body, headers=headers, timeout=timeout_s)
        except httpx.HTTPError as error:
            raise WitnessUnreachableError(f"{target}: {error}") from error
        if len(response.content) > MAX_ANSWER_BYTES:
            raise WitnessUnreachableError(f"{target}: an answer of {len(response.content)} bytes")
        return WitnessReply(response.status_code, response.content.decode("utf-8", "replace"))

    def close(self) -> None:
        """Close the connections."""
        self._client.close()
