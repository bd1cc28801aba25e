"""Runs YAML scenarios on the state engine with real Ed25519 signatures (see README.md)."""

import datetime
import hashlib
import importlib
from dataclasses import dataclass, field
from typing import Any

from krai.bootstrap import new_engine
from krai.crypto.keys import Ed25519PrivateKey, encode_public_key, key_id
from krai.demo.identifiers import synthetic_inn, synthetic_ogrn
from krai.state.engine import Engine
from krai.state.entry import Entry
from krai.state.store import MemoryState
from krai.tx.codec import decode_transaction
from krai.tx.envelope import Transaction, sign
from krai.tx.errors import RejectedError

DEFAULT_TIME = "2026-01-12T10:00:00+07:00"


def private_key(name: str, number: int = 1) -> Ed25519PrivateKey:
    """The deterministic test key number ``number`` of an organisation."""
    return Ed25519PrivateKey(hashlib.sha256(f"krai-test-key:{name}:{number}".encode()).digest())


def time_ms(text: str) -> int:
    """Unix milliseconds of an ISO 8601 time with its offset."""
    return int(datetime.datetime.fromisoformat(text).timestamp() * 1000)


@dataclass
class Ledger:
    """The engine, its state, and what the scenario remembers."""

    engine: Engine
    origin: str
    state: MemoryState = field(default_factory=MemoryState)
    index: int = 0
    remembered: dict[str, str] = field(default_factory=dict)
    nonce: int = 0

    def substitute(self, value: Any) -> Any:
        """Replace ``$inn:``, ``$ogrn:``, ``$key:``, ``$keyid:`` + ``Name[#n]``; ``$tx:label``."""
        if isinstance(value, dict):
            return {k: self.substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.substitute(v) for v in value]
        if not isinstance(value, str) or not value.startswith("$"):
            return value
        kind, _, name = value[1:].partition(":")
        name, _, number = name.partition("#")
        key = private_key(name, int(number or 1))
        resolved = {
            "inn": lambda: synthetic_inn(name),
            "ogrn": lambda: synthetic_ogrn(name),
            "key": lambda: encode_public_key(key.public_key),
            "keyid": lambda: key_id(key.public_key),
            "tx": lambda: self.remembered[name],
        }
        return resolved[kind]()

    def apply(self, entry: Entry) -> list[str]:
        """Admit and execute an entry; on success make its writes part of the state."""
        if entry.tx is not None:
            self.engine.admit(self.state, entry.tx)
        outcome = self.engine.execute(self.state, entry)
        self.state.apply_writes(outcome.writes)
        self.index += 1
        return [event["event"] for event in outcome.events]


def found(network: dict[str, Any]) -> Ledger:
    """A ledger whose genesis names the scenario's organisations."""
    ledger = Ledger(new_engine(), network.get("origin", "scenario.krai.example/log"))
    organisations = [
        {
            "inn": synthetic_inn(name),
            "ogrn": synthetic_ogrn(name),
            "name": name,
            "roles": spec["roles"],
            "public_keys": [encode_public_key(private_key(name).public_key)],
        }
        for name, spec in network["organisations"].items()
    ]
    genesis = {
        "origin": ledger.origin,
        "quorum": network.get("quorum", 1),
        "organisations": organisations,
    }
    ledger.apply(Entry(0, time_ms(DEFAULT_TIME), genesis=genesis))
    return ledger


def transaction(ledger: Ledger, step: dict[str, Any]) -> Transaction:
    """The signed transaction a step describes."""
    signer, number = step["by"], int(step.get("key", 1))
    key = private_key(signer, number)
    ledger.nonce += 1
    unsigned = Transaction(
        network=step.get("network", ledger.origin),
        type=step["do"],
        version=int(step.get("version", 1)),
        signer=synthetic_inn(signer),
        key_id=key_id(key.public_key),
        nonce=str(step.get("nonce", f"n{ledger.nonce}")),
        body=ledger.substitute(step.get("with", {})),
    )
    signed = sign(unsigned, key)
    if step.get("tamper"):
        document = signed.to_json()
        document["body"] = {**document["body"], "tampered": True}
        return Transaction(**document)
    return signed


def run_step(ledger: Ledger, step: dict[str, Any]) -> None:
    """Run one step and check its expectation."""
    if "check" in step:
        check(ledger, step)
        return
    if "raw" in step:
        _expect_raw_refusal(step)
        return
    tx = transaction(ledger, step)
    try:
        names = ledger.apply(Entry(ledger.index, time_ms(step.get("at", DEFAULT_TIME)), tx=tx))
    except RejectedError as error:
        _expect_refusal(step, error)
        return
    _expect_acceptance(step, names)
    if "remember" in step:
        ledger.remembered[step["remember"]] = tx.tx_id


def _expect_acceptance(step: dict[str, Any], names: list[str]) -> None:
    expect = step.get("expect", "accepted")
    assert expect == "accepted" or "accepted" in expect, (
        f"{step['do']} was accepted; expected {expect}"
    )
    wanted = expect.get("accepted") if isinstance(expect, dict) else None
    if wanted:
        missing = [name for name in wanted if name not in names]
        assert not missing, f"{step['do']}: events {missing} not among {names}"


def _expect_refusal(step: dict[str, Any], error: RejectedError) -> None:
    expect = step.get("expect", "accepted")
    assert isinstance(expect, dict) and "rejected" in expect, f"{step['do']} refused: {error}"
    assert error.code.value == expect["rejected"], (
        f"refused with {error}, expected {expect['rejected']}"
    )
    fragment = expect.get("message_contains")
    assert fragment is None or fragment in error.message, f"{error.message!r} lacks {fragment!r}"


def _expect_raw_refusal(step: dict[str, Any]) -> None:
    try:
        decode_transaction(step["raw"].encode())
    except RejectedError as error:
        _expect_refusal(step, error)
        return
    raise AssertionError("raw transaction was decoded; expected a refusal")


def check(ledger: Ledger, step: dict[str, Any]) -> None:
    """Call a module query and compare its answer."""
    module_name, _, function_name = step["check"].partition(".")
    queries = importlib.import_module(f"krai.modules.{module_name}.queries")
    answer = getattr(queries, function_name)(
        ledger.state, **ledger.substitute(step.get("args", {}))
    )
    if "equals" in step:
        assert answer == ledger.substitute(step["equals"]), f"{step['check']} gave {answer!r}"
    if "includes" in step:
        for key, value in ledger.substitute(step["includes"]).items():
            assert answer[key] == value, f"{step['check']}[{key}] is {answer[key]!r}, not {value!r}"
    if "length" in step:
        assert len(answer) == step["length"], f"{step['check']} has {len(answer)} items"
