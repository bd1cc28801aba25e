"""Reads a YAML scenario and plays it on a ``Ledger``, step by step (format: README.md)."""

import hashlib
import importlib
from collections.abc import Callable, Mapping
from typing import Any

from krai.modules.energy import queries as energy_queries
from krai.modules.energy.book import decode_book
from krai.modules.energy.clearing import clear
from krai.modules.energy.model import commitment
from krai.modules.energy.result import result_json
from krai.modules.payments.records import statement_sha256
from krai.state.records import Record, record_json
from tests.scenarios.harness import (
    DEFAULT_ORIGIN,
    DEFAULT_START,
    Ledger,
    Organisation,
    Result,
    synthetic_inn,
    synthetic_ogrn,
)

TOP_KEYS = {"title", "description", "network", "sealed", "statements", "steps"}
NETWORK_KEYS = {"origin", "quorum", "start", "organisations"}
ORGANISATION_KEYS = {"name", "inn", "ogrn", "roles"}
TRANSACTION_KEYS = {"at", "by", "do", "with", "version", "key", "network", "nonce", "tamper"}
TRANSACTION_KEYS |= {"expect", "remember", "for_periods"}
COMPARISONS = {"equals", "includes", "length"}
CHECK_KEYS = {"check", "query", "args", *COMPARISONS}


class ScenarioError(AssertionError):
    """The scenario is not written in the documented format."""


class Scenario:
    """One scenario file: its ledger and the labels it remembers."""

    def __init__(
        self, document: Mapping[str, Any], ledger_class: type[Ledger] = Ledger, **extra: Any
    ) -> None:
        _only(document, TOP_KEYS, "the scenario", frozenset({"title", "network", "steps"}))
        self.title = str(document["title"])
        self.steps: list[Mapping[str, Any]] = list(document["steps"])
        self.ledger = found(document["network"], ledger_class, **extra)
        self.remembered: dict[str, str] = {}
        self.sealed: Mapping[str, Mapping[str, Any]] = document.get("sealed", {})
        self.statements: Mapping[str, list[Any]] = document.get("statements", {})

    def run(self) -> None:
        """Play every step; a failed expectation names the step and what happened."""
        for number, step in enumerate(self.steps, start=1):
            try:
                self.run_step(step)
            except AssertionError as failure:
                raise AssertionError(f"{self.title} — step {number}: {failure}") from failure

    def run_step(self, step: Mapping[str, Any]) -> None:
        """A transaction step (``by``/``do``) or a check step (``check``/``query``)."""
        if "check" in step:
            _only(step, CHECK_KEYS, "a check step", required=frozenset({"check", "query"}))
            if not COMPARISONS & set(step):
                raise ScenarioError(f"check {step['check']!r} needs one of {sorted(COMPARISONS)}")
            self.check(step)
            return
        _only(step, TRANSACTION_KEYS, "a transaction step", required=frozenset({"by", "do"}))
        if "at" in step:
            self.ledger.set_time(str(step["at"]))
        if "for_periods" in step:
            first, last = (int(n) for n in step["for_periods"])
            for period in range(first, last + 1):
                once = {k: v for k, v in step.items() if k not in {"for_periods", "at"}}
                self.transact(_with_period(once, period))
            return
        self.transact(step)

    def transact(self, step: Mapping[str, Any]) -> None:
        """Sign and submit the step's transaction and compare the outcome."""
        result = self.ledger.submit(
            str(step["by"]),
            str(step["do"]),
            self.substitute(step.get("with", {})),
            int(step.get("version", 1)),
            key=int(step.get("key", 1)),
            network=step.get("network"),
            nonce=step.get("nonce"),
            tamper=bool(step.get("tamper", False)),
        )
        expect(step, result)
        if "remember" in step:
            if result.tx_id is None:
                raise ScenarioError("a transaction whose bytes were refused has no id to remember")
            self.remembered[str(step["remember"])] = result.tx_id

    def check(self, step: Mapping[str, Any]) -> None:
        """Call a module's query on the state and compare its answer."""
        module_name, _, function_name = str(step["query"]).partition(".")
        queries = importlib.import_module(f"krai.modules.{module_name}.queries")
        query: Callable[..., Any] = getattr(queries, function_name)
        answer = as_json(query(self.ledger.view, **self.substitute(step.get("args", {}))))
        label = f"{step['check']} ({step['query']})"
        if "equals" in step:
            wanted = self.substitute(step["equals"])
            assert answer == wanted, f"{label} gave {answer!r}, expected {wanted!r}"
        for name, wanted in self.substitute(step.get("includes", {})).items():
            assert answer[name] == wanted, f"{label}: {name} is {answer[name]!r}, not {wanted!r}"
        if "length" in step:
            assert len(answer) == step["length"], f"{label} has {len(answer)} items: {answer!r}"

    def substitute(self, value: Any) -> Any:
        """Replace every ``$kind:argument`` string (see README.md) inside ``value``."""
        if isinstance(value, dict):
            return {k: self.substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.substitute(v) for v in value]
        if not isinstance(value, str) or not value.startswith("$"):
            return value
        kind, colon, argument = value[1:].partition(":")
        if not colon or kind not in self._SUBSTITUTIONS:
            raise ScenarioError(f"{value!r}: substitutions are {', '.join(self._SUBSTITUTIONS)}")
        return self._SUBSTITUTIONS[kind](self, argument)

    def _tx(self, label: str) -> str:
        if label not in self.remembered:
            raise ScenarioError(f"no step remembered {label!r}")
        return self.remembered[label]

    def _sealed_orders(self, label: str) -> Mapping[str, Any]:
        if label not in self.sealed:
            raise ScenarioError(f"no sealed order set {label!r}")
        return self.sealed[label]

    def _reveal(self, label: str) -> dict[str, Any]:
        """The body revealing a sealed order set: market, day, the salt's hex, the orders."""
        sealed = self._sealed_orders(label)
        return {
            "market_id": sealed["market_id"],
            "delivery_date": sealed["delivery_date"],
            "salt": hashlib.sha256(str(sealed["salt"]).encode()).hexdigest(),
            "orders": [order for spec in sealed.get("orders", []) for order in _orders(spec)],
            "blocks": list(sealed.get("blocks", [])),
        }

    def _clearing(self, address: str) -> dict[str, Any]:
        """What the market operator submits for ``market/day/period``: the recomputed result."""
        market_id, day, period = address.split("/")
        found = energy_queries.market(self.ledger.view, market_id)
        if found is None:
            raise ScenarioError(f"no market {market_id}")
        document = energy_queries.period_document(
            self.ledger.view, found, market_id, day, int(period)
        )
        result = result_json(clear(decode_book(document)))
        return {"market_id": market_id, "delivery_date": day, "period": int(period), **result}

    def _commitment(self, label: str) -> str:
        """The hash a participant commits to for a sealed order set (docs: energy model)."""
        body = self._reveal(label)
        signer = self.ledger.inn(str(self._sealed_orders(label)["by"]))
        day, salt = body["delivery_date"], body["salt"]
        return commitment(body["market_id"], day, signer, salt, body["orders"], body["blocks"])

    def _statement(self, name: str) -> list[dict[str, Any]]:
        if name not in self.statements:
            raise ScenarioError(f"no statement {name!r}")
        return [dict(line) for line in self.statements[name]]

    def _statement_lines(self, address: str) -> list[dict[str, Any]]:
        """Lines ``first``–``last`` (counted from 1) of a declared statement: ``name/2-3``."""
        name, _, span = address.rpartition("/")
        first, _, last = span.partition("-")
        lines = self._statement(name)
        if not (first.isdigit() and last.isdigit() and 1 <= int(first) <= int(last) <= len(lines)):
            raise ScenarioError(f"{address!r}: lines of {name} are named 1-{len(lines)}")
        return lines[int(first) - 1 : int(last)]

    _SUBSTITUTIONS: Mapping[str, Callable[["Scenario", str], Any]] = {
        "inn": lambda s, name: s.ledger.inn(name),
        "ogrn": lambda s, name: s.ledger.organisation(name).ogrn,
        "key": lambda s, name: s.ledger.public_key(*_numbered(name)),
        "keyid": lambda s, name: s.ledger.key_id(*_numbered(name)),
        "tx": _tx,
        "sha256": lambda s, text: hashlib.sha256(text.encode()).hexdigest(),
        "ps": lambda s, name: "ps:" + hashlib.sha256(f"ps:{name}".encode()).hexdigest()[:32],
        "dd": lambda s, name: "dd:" + hashlib.sha256(f"dd:{name}".encode()).hexdigest()[:32],
        "commitment": _commitment,
        "reveal": _reveal,
        "clearing": _clearing,
        "statement_sha256": lambda s, name: statement_sha256(s._statement(name)),
        "lines": _statement_lines,
    }


def _orders(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """An order, or one per period for ``periods: [first, last]`` (ids get ``-pNN``)."""
    if "periods" not in spec:
        return [dict(spec)]
    first, last = (int(n) for n in spec["periods"])
    template = {k: v for k, v in spec.items() if k != "periods"}
    return [
        {**template, "order_id": f"{spec['order_id']}-p{p:02d}", "period": p}
        for p in range(first, last + 1)
    ]


def _with_period(value: Any, period: int) -> Any:
    """``value`` with ``$period`` replaced by the period number, in strings and as a value."""
    if isinstance(value, Mapping):
        return {k: _with_period(v, period) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_period(v, period) for v in value]
    if value == "$period":
        return period
    return value.replace("$period", str(period)) if isinstance(value, str) else value


def found(network: Mapping[str, Any], ledger_class: type[Ledger] = Ledger, **extra: Any) -> Ledger:
    """The ledger a scenario's ``network`` describes (``extra``: a subclass's fields)."""
    _only(network, NETWORK_KEYS, "network", frozenset({"organisations"}))
    organisations = [_organisation(spec) for spec in network["organisations"]]
    return ledger_class.found(
        organisations,
        quorum=int(network.get("quorum", 1)),
        origin=str(network.get("origin", DEFAULT_ORIGIN)),
        start=str(network.get("start", DEFAULT_START)),
        **extra,
    )


def _organisation(spec: Mapping[str, Any]) -> Organisation:
    _only(spec, ORGANISATION_KEYS, "an organisation", frozenset({"name"}))
    name = str(spec["name"])
    return Organisation(
        name,
        str(spec.get("inn", synthetic_inn(name))),
        str(spec.get("ogrn", synthetic_ogrn(name))),
        tuple(spec.get("roles", ())),
    )


def expect(step: Mapping[str, Any], result: Result) -> None:
    """Compare a result with the step's ``expect`` (accepted when none is given)."""
    wanted = step.get("expect", "accepted")
    if isinstance(wanted, Mapping) and "rejected" in wanted:
        _only(wanted, {"rejected", "message_contains"}, "expect")
        _expect_refusal(step, result, wanted)
        return
    if wanted != "accepted" and not (isinstance(wanted, Mapping) and set(wanted) == {"events"}):
        raise ScenarioError(f"expect {wanted!r}: use accepted, {{events: [...]}} or {{rejected}}")
    assert result.error is None, f"{step['do']} was refused: {result.error}"
    if isinstance(wanted, Mapping):
        names = list(wanted["events"])
        assert result.event_names == names, f"{step['do']} emitted {result.event_names}"


def _expect_refusal(step: Mapping[str, Any], result: Result, wanted: Mapping[str, Any]) -> None:
    error = result.error
    assert error is not None, f"{step['do']} was accepted; expected {wanted['rejected']}"
    assert error.code.value == wanted["rejected"], f"refused as {error}, not {wanted['rejected']}"
    fragment = wanted.get("message_contains")
    assert fragment is None or str(fragment) in error.message, (
        f"{error.message!r} lacks {fragment!r}"
    )


def as_json(answer: Any) -> Any:
    """A query's answer as a scenario compares it: a typed record as its JSON object."""
    if isinstance(answer, Record):
        return record_json(answer)
    if isinstance(answer, list):
        return [as_json(item) for item in answer]
    return answer


def _numbered(name: str) -> tuple[str, int]:
    """``Name#2`` → ("Name", 2); ``Name`` → ("Name", 1)."""
    base, _, number = name.rpartition("#")
    return (base, int(number)) if base and number.isdigit() else (name, 1)


def _only(
    mapping: Mapping[str, Any], allowed: set[str], what: str, required: frozenset[str] = frozenset()
) -> None:
    """Refuse a misspelt or missing key: a typo must not make a step check nothing."""
    unknown, missing = set(mapping) - allowed, required - set(mapping)
    if unknown:
        raise ScenarioError(f"{what}: unknown key(s) {sorted(unknown)}; allowed {sorted(allowed)}")
    if missing:
        raise ScenarioError(f"{what} needs {', '.join(sorted(missing))}")
