"""Witnesses end to end: two `krai witness serve` processes cosign what `krai serve`
publishes under a 2-of-2 policy; a forked log is refused and kept as evidence; with a witness
down, /checkpoint holds the last fully cosigned checkpoint until it is back."""

import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
from tests.e2e.servers import free_port
from tests.e2e.test_cli import run

from krai.adapters.keystore import Keystore
from krai.bootstrap import Founder, found_network
from krai.config.settings import Settings, WitnessSettings, default_database_url, write_witnesses
from krai.log.checkpoint import Checkpoint, sign_checkpoint
from krai.log.cosigned import verify_cosigned
from krai.log.hashing import leaf_hash
from krai.log.note import NoteSigner, format_vkey, open_note, parse_cosignature_vkey
from krai.log.tree import CompactRange, MemoryNodeStore, consistency_proof, root_hash
from krai.log.witness import format_add_checkpoint
from krai.tx.envelope import Transaction, sign

ORIGIN = "krai.example/witnessed"
STARTUP_S = 30.0
WAIT_S = 30.0
T = TypeVar("T")


def krai(*args: str | Path, stdin: str = "", expect: int = 0) -> str:
    """Run ``python -m krai`` and check its exit code; return its standard output."""
    result = run(*map(str, args), stdin=stdin)
    assert result.returncode == expect, result.stderr + result.stdout
    return result.stdout


@contextmanager
def running(log: Path, *args: str | Path, url: str) -> Iterator[subprocess.Popen[bytes]]:
    """A `krai` server process, up once ``url`` answers, terminated at the end."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "krai", *map(str, args)], stdout=output, stderr=output
        )
    try:
        wait_for(lambda: _answers(url, process, log), STARTUP_S, f"{url} to start")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _answers(url: str, process: subprocess.Popen[bytes], log: Path) -> bool | None:
    assert process.poll() is None, log.read_text(encoding="utf-8", errors="replace")
    try:
        httpx.get(url, timeout=1.0)
    except httpx.HTTPError:
        return None
    return True


def wait_for(probe: Callable[[], T | None], seconds: float, what: str) -> T:
    """Poll ``probe`` until it returns something, for at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found is not None:
            return found
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.1)


def anchor(home: Path, number: int) -> Transaction:
    """The operator's signed notary anchor of document ``number``."""
    key = Keystore(home / "keys").load("operator")
    assert key.organisation is not None
    body = {"sha256": f"{number:064x}", "title": f"Document {number}", "kind": "report"}
    unsigned = Transaction(
        ORIGIN, "notary.anchor", 1, key.organisation, key.key_id, f"n-{number}", body
    )
    return sign(unsigned, key.private_key)


def published(client: httpx.Client, size: int) -> str | None:
    """The note /checkpoint serves, once it is of ``size``."""
    response = client.get("/checkpoint")
    if response.status_code != 200:
        return None
    return response.text if response.text.split("\n")[1] == str(size) else None


def test_witnesses_cosign_refuse_a_fork_and_hold_publication_while_one_is_down(
    tmp_path: Path,
) -> None:
    dirs = {name: tmp_path / name for name in ("w1", "w2")}
    vkeys = {  # `krai witness init` prints the witness's vkey last
        name: krai("witness", "init", "--dir", d, "--name", f"witness.example/{name}")
        .strip()
        .splitlines()[-1]
        for name, d in dirs.items()
    }
    assert vkeys["w1"] == krai("witness", "vkey", "--dir", dirs["w1"]).strip()
    home = tmp_path / "home"
    krai("init", "--origin", ORIGIN, "--home", home)
    log_vkey = format_vkey(log_signer(home).verifier)
    for directory in dirs.values():
        krai("witness", "add-log", "--dir", directory, "--origin", ORIGIN, "--vkey", log_vkey)
    ports = {name: free_port() for name in dirs}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    ledger_url = f"http://127.0.0.1:{free_port()}"

    def witness(name: str) -> Any:
        serve = ("witness", "serve", "--dir", dirs[name], "--port", str(ports[name]))
        return running(tmp_path / f"{name}.log", *serve, url=urls[name])

    with witness("w1"), witness("w2") as w2:
        for name in dirs:
            krai("log", "witnesses", "add", name, urls[name], vkeys[name], "--home", home)
        krai("log", "witnesses", "policy", "2", "--home", home)
        port = ledger_url.rsplit(":", 1)[1]
        serve = ("serve", "--home", home, "--port", port)
        with (
            running(tmp_path / "ledger.log", *serve, url=ledger_url),
            httpx.Client(base_url=ledger_url, timeout=10.0) as client,
        ):
            cosigned_by_both(client, home, log_vkey, vkeys, tmp_path)
            fork_is_refused_and_listed(tmp_path, home, dirs["w1"], urls["w1"], vkeys["w1"])
            w2.terminate()
            w2.wait(10)
            one_down_holds_publication(client, home, log_vkey, vkeys)
            with witness("w2"):
                note = wait_for(lambda: published(client, 4), WAIT_S, "size 4 cosigned by both")
                verify_cosigned(note, log_vkey, list(vkeys.values()), 2)


def cosigned_by_both(
    client: httpx.Client, home: Path, log_vkey: str, vkeys: dict[str, str], tmp_path: Path
) -> None:
    """Genesis, then two transactions: /checkpoint shows the log's signature and two
    cosignature lines that verify under 2 of 2; the policy file checks it too."""
    wait_for(lambda: published(client, 1), WAIT_S, "the genesis checkpoint cosigned")
    for number in (1, 2):
        response = client.post("/v1/transactions", json=anchor(home, number).to_json())
        assert response.status_code == 201, response.text
    note = wait_for(lambda: published(client, 3), WAIT_S, "size 3 cosigned by both")
    signatures = note.split("\n\n", 1)[1].splitlines()
    assert len(signatures) == 3 and signatures[0].startswith(f"\u2014 {ORIGIN} ")
    assert {line.split(" ")[1] for line in signatures[1:]} == {
        "witness.example/w1",
        "witness.example/w2",
    }
    overview = client.get("/", headers={"accept-language": "ru"}).text
    assert "заверили 2 из 2 свидетелей при кворуме 2" in overview
    assert overview.count("<code>witness.example/w") == 2
    verified = verify_cosigned(note, log_vkey, list(vkeys.values()), 2)
    assert verified.checkpoint.size == 3 and len(verified.cosigners) == 2
    document = client.get("/v1/checkpoint/cosigned").json()
    assert (document["size"], document["quorum"], document["note"]) == (3, 2, note)
    assert [w["cosigned_size"] for w in document["witnesses"]] == [3, 3]
    policy = tmp_path / "policy.txt"
    policy.write_text(krai("log", "witnesses", "policy-file", "--home", home), encoding="utf-8")
    checked = json.loads(
        krai("log", "check-cosigned", "--policy", policy, "--url", client.base_url, "--json")
    )
    assert checked["valid"] and checked["size"] == 3 and len(checked["cosigners"]) == 2


def log_signer(home: Path) -> NoteSigner:
    """The log's checkpoint signer, from the home's keystore."""
    return NoteSigner(ORIGIN, Keystore(home / "keys").load("log").private_key.seed)


def fork_is_refused_and_listed(
    tmp_path: Path, home: Path, witness_dir: Path, witness_url: str, vkey: str
) -> None:
    """A second home under the log's own key with other entries, of the same size: the
    witness refuses it and keeps both signed views."""
    fork = tmp_path / "fork"
    settings = Settings(fork, default_database_url(fork), ORIGIN)
    seeds = (bytes([5]) * 32, log_signer(home).seed)
    services = found_network(settings, Founder("7707083893", "1027700132195", "Fork"), seeds=seeds)
    try:
        services.sequencer.submit([anchor(fork, n) for n in (7, 8)])
    finally:
        services.close()
    write_witnesses(fork, (WitnessSettings("w1", witness_url, vkey),), None)
    outcomes = json.loads(krai("log", "cosign", "--home", fork, "--json", expect=1))
    assert [(o["size"], o["cosigned"]) for o in outcomes] == [(3, False)]
    assert "HTTP 422" in outcomes[0]["detail"]
    conflicts = json.loads(krai("witness", "conflicts", "--dir", witness_dir, "--json"))
    assert [(c["kind"], c["recorded"]["size"], c["presented"]["size"]) for c in conflicts] == [
        ("fork", 3, 3)
    ]
    found = conflicts[0]
    assert found["recorded"]["root_hash"] != found["presented"]["root_hash"]
    log = log_signer(home).verifier
    for view in (found["recorded"]["note"], found["presented"]["note"]):
        assert [s.name for s in open_note(view, [log])] == [ORIGIN]  # both signed by the log
    monitored = httpx.get(f"{witness_url}/{hashlib.sha256(ORIGIN.encode()).hexdigest()}/checkpoint")
    assert monitored.text.split("\n")[:3] == found["recorded"]["note"].split("\n")[:3]


def one_down_holds_publication(
    client: httpx.Client, home: Path, log_vkey: str, vkeys: dict[str, str]
) -> None:
    """With w2 down, a new checkpoint gets w1's cosignature only; /checkpoint stays at the
    last one both cosigned while the log has grown."""
    response = client.post("/v1/transactions", json=anchor(home, 3).to_json())
    assert response.status_code == 201, response.text

    def w1_cosigned_4() -> bool | None:
        document = client.get("/v1/checkpoint/cosigned").json()
        sizes = {w["name"]: w["cosigned_size"] for w in document["witnesses"]}
        return True if sizes["w1"] == 4 else None

    wait_for(w1_cosigned_4, WAIT_S, "w1 to cosign size 4")
    assert client.get("/v1/checkpoint").json()["size"] == 4
    note = client.get("/checkpoint").text
    assert verify_cosigned(note, log_vkey, list(vkeys.values()), 2).checkpoint.size == 3
    assert client.get("/v1/checkpoint/cosigned").json()["size"] == 3


def test_the_witness_speaks_c2sp_tlog_witness_over_http(tmp_path: Path) -> None:
    """Every status of add-checkpoint, byte for byte on the wire, and the monitoring read."""
    directory = tmp_path / "w"
    krai("witness", "init", "--dir", directory, "--name", "witness.example/http")
    witness = parse_cosignature_vkey(krai("witness", "vkey", "--dir", directory).strip())
    log = NoteSigner(ORIGIN, bytes([3]) * 32)
    krai(
        "witness",
        "add-log",
        "--dir",
        directory,
        "--origin",
        ORIGIN,
        "--vkey",
        format_vkey(log.verifier),
    )
    store, tree = MemoryNodeStore(), CompactRange()
    for index in range(9):
        store.put_nodes(tree.append(leaf_hash(b"entry %d" % index)))

    def note(size: int, signer: NoteSigner = log) -> str:
        return sign_checkpoint(Checkpoint(ORIGIN, size, root_hash(store, size)), signer)

    def body(old: int, size: int, proof: list[bytes] | None = None) -> bytes:
        nodes = consistency_proof(store, old, size) if proof is None else proof
        return format_add_checkpoint(old, nodes, note(size))

    url = f"http://127.0.0.1:{free_port()}"
    serve = ("witness", "serve", "--dir", directory, "--port", url.rsplit(":", 1)[1])
    with running(tmp_path / "w.log", *serve, url=url), httpx.Client(base_url=url) as client:

        def post(content: bytes) -> httpx.Response:
            return client.post("/add-checkpoint", content=content)

        first = post(body(0, 4))
        assert first.status_code == 200, first.text
        assert first.text.startswith("\u2014 witness.example/http ")
        text_and_lines = note(4).split("\n\n")[0] + "\n\n" + first.text
        assert [s.name for s in open_note(text_and_lines, [witness])] == [witness.name]
        stale = post(body(2, 9))
        assert (stale.status_code, stale.text) == (409, "4\n")
        assert stale.headers["content-type"] == "text/x.tlog.size"
        wrong = consistency_proof(store, 4, 9)
        wrong[-1] = bytes(32)
        assert post(body(4, 9, wrong)).status_code == 422
        assert post(body(4, 9)).status_code == 200
        assert post(body(9, 4, [])).status_code == 400
        assert post(b"old 9\n\nnot a note\n").status_code == 400
        impostor = NoteSigner(ORIGIN, bytes([4]) * 32)
        forged = format_add_checkpoint(9, [], note(9, impostor))
        assert post(forged).status_code == 403
        elsewhere = NoteSigner("elsewhere.example/log", bytes([3]) * 32)
        unknown = sign_checkpoint(Checkpoint(elsewhere.name, 4, root_hash(store, 4)), elsewhere)
        assert post(format_add_checkpoint(0, [], unknown)).status_code == 404
        assert post(b"old 0\n" + b"A" * 70_000).status_code == 413
        origin_hash = hashlib.sha256(ORIGIN.encode()).hexdigest()
        monitored = client.get(f"/{origin_hash}/checkpoint")
        assert monitored.status_code == 200
        assert monitored.text.split("\n")[1] == "9"
        assert len(open_note(monitored.text, [log.verifier, witness])) == 2
        assert client.get(f"/{'0' * 64}/checkpoint").status_code == 404
