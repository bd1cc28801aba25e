"""An engine whose modules load when first needed (``replay_engine``, ADR 0043) answers as the
engine built with every module at once: the same types, refusals, references and state."""

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.unit.app import ledgers

from krai.bootstrap import new_engine, replay_engine
from krai.modules.identity.queries import IdentityAuthority
from krai.modules.notary.machine import NotaryModule
from krai.modules.parks.machine import ParksModule
from krai.modules.parks.model import park_key
from krai.state.engine import Context, Engine
from krai.state.store import MemoryState, Overlay
from krai.tx.errors import RejectedError


def counted(build: Callable[[], Any], built: list[str]) -> Callable[[], Any]:
    def counting() -> Any:
        module = build()
        built.append(module.name)
        return module

    return counting


def test_a_pending_module_is_built_when_a_type_is_first_missed() -> None:
    built: list[str] = []
    engine = Engine(
        [],
        IdentityAuthority(),
        {"notary": counted(NotaryModule, built), "parks": counted(ParksModule, built)},
    )
    assert built == []
    assert engine.handler("notary.anchor", 1).type == "notary.anchor"
    assert built == ["notary"]
    with pytest.raises(RejectedError) as refused:
        engine.handler("accounts.open", 1)
    assert refused.value.message == "no transaction type 'accounts.open'"
    assert built == ["notary", "parks"]


def test_a_pending_module_is_built_when_its_kind_of_reference_is_needed() -> None:
    built: list[str] = []
    engine = Engine([], IdentityAuthority(), {"parks": counted(ParksModule, built)})
    ctx = Context(Overlay(MemoryState()), "7734250208", "00" * 32, 5, 1_000)
    ctx.references = engine._reference_view
    ctx.state.put_bytes(park_key("p-1"), b"{}")
    assert ctx.require_reference("park", "p-1") == {}
    assert built == ["parks"]


@pytest.mark.parametrize(
    ("type_name", "version"), [("notary.anchor", 1), ("notary.anchor", 9), ("nope.x", 1)]
)
def test_types_and_their_refusals_are_those_of_the_whole_engine(
    type_name: str, version: int
) -> None:
    def answer(engine: Engine) -> object:
        try:
            return engine.handler(type_name, version).describe()
        except RejectedError as error:
            return (error.code, error.message)

    assert answer(replay_engine()) == answer(new_engine())
    assert replay_engine().describe() == new_engine().describe()


def test_a_ledger_replays_to_the_same_state_and_report() -> None:
    sequencer, storage = ledgers.founded()
    ledgers.grow(sequencer, 0, 12, batch=5)
    assert ledgers.verified(storage, replay_engine) == ledgers.verified(storage)


def test_a_notary_replay_does_not_import_the_other_modules(tmp_path: Path) -> None:
    """In a fresh process, a replay of a notary log builds neither energy's machine nor
    numpy, which only energy's imports; the whole engine builds both."""
    sequencer, storage = ledgers.founded()
    ledgers.grow(sequencer, 0, 3)
    log = tmp_path / "log"
    log.write_bytes(b"\n".join(e.data for e in storage.entries(0, storage.log_size())))
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from tests.unit.app.ledgers import LOG_SIGNER, ORIGIN
        from krai.app.verify import verify_ledger
        from krai.bootstrap import {{engine}}
        verify_ledger(Path({str(log)!r}).read_bytes().split(b"\\n"), {{{{}}}}, origin=ORIGIN,
                      verifier=LOG_SIGNER.verifier, new_engine={{engine}})
        print(sorted(n for n in ("krai.modules.energy.machine", "numpy") if n in sys.modules))
        """
    )

    def imported(engine: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", script.format(engine=engine)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    assert imported("replay_engine") == "[]"
    assert imported("new_engine") == "['krai.modules.energy.machine', 'numpy']"
