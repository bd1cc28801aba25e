"""The log's HTTP client for witnesses (C2SP tlog-witness ``add-checkpoint``), on httpx.

One keep-alive connection pool for all witnesses, as tlog-witness recommends; a witness that
does not answer within the timeout counts as unreachable for that round.
"""

import httpx

from krai.app.cosigning import WitnessReply, WitnessUnreachableError

TIMEOUT_S = 5.0
MAX_ANSWER_BYTES = 64 * 1024


class HttpWitnessClient:
    """``WitnessClient`` over HTTP."""

    def __init__(self, timeout_s: float = TIMEOUT_S) -> None:
        self._client = httpx.Client(timeout=timeout_s, follow_redirects=False)

    def add_checkpoint(self, url: str, body: bytes) -> WitnessReply:
        """POST ``body`` to ``<url>/add-checkpoint``."""
        target = url.rstrip("/") + "/add-checkpoint"
        try:
            response = self._client.post(
                target, content=body, headers={"Content-Type": "text/plain; charset=utf-8"}
            )
        except httpx.HTTPError as error:
            raise WitnessUnreachableError(f"{target}: {error}") from error
        if len(response.content) > MAX_ANSWER_BYTES:
            raise WitnessUnreachableError(f"{target}: an answer of {len(response.content)} bytes")
        return WitnessReply(response.status_code, response.content.decode("utf-8", "replace"))

    def close(self) -> None:
        """Close the connections."""
        self._client.close()
