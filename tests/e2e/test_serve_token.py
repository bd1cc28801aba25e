"""``krai serve`` on a fresh home creates the operator's token (mode 0600), prints where it is
and never the token, and ``/v1/vault`` answers the bearer of that file's token alone."""

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import httpx
from tests.e2e.servers import free_port, wait_until_answering

READY_SECONDS = 60.0
PERSON = {"snils": "112-233-445 95", "full_name": "Иванова Мария", "birth_date": "1990-05-17"}
SAID = re.compile(r"The operator's token for /v1/vault is in (\S+)")


def test_a_first_serve_creates_the_token_and_the_vault_answers_its_bearer(tmp_path: Path) -> None:
    home = tmp_path / "home"
    init = [sys.executable, "-m", "krai", "init", "--home", str(home)]
    subprocess.run(init, check=True, timeout=120, capture_output=True)
    port, printed = free_port(), tmp_path / "serve.out"
    command = [sys.executable, "-m", "krai", "serve", "--home", str(home), "--port", str(port)]
    with printed.open("wb") as out:
        server = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "400"}
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{url}/v1/checkpoint", server, READY_SECONDS)
        said = SAID.search(printed.read_text(encoding="utf-8"))
        assert said is not None, printed.read_text(encoding="utf-8")
        token_file = Path(said[1])
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        token = token_file.read_text(encoding="ascii").strip()
        assert token not in printed.read_text(encoding="utf-8")
        enrol = {"programme_id": "kld.child-benefit", "person": PERSON}
        with httpx.Client(base_url=url, timeout=60) as client:
            assert client.post("/v1/vault/enrol", json=enrol).status_code == 401
            headers = {"Authorization": f"Bearer {token}"}
            answer = client.post("/v1/vault/enrol", json=enrol, headers=headers)
        assert answer.status_code == 200, answer.text
        assert set(answer.json()) == {"programme_id", "pseudonym", "dedup_key"}
        assert re.fullmatch(r"dd:[0-9a-f]{32}", answer.json()["dedup_key"])
    finally:
        server.terminate()
        server.wait(timeout=30)
