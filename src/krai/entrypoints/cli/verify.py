"""``krai verify`` and ``krai export``: check a whole ledger, or write it out to check elsewhere."""

from pathlib import Path
from typing import Annotated, NamedTuple

import typer

from krai.app.bundle import BundleError, BundleFile, write_bundle
from krai.app.rebuild import rebuild_state
from krai.app.remote_verify import TileFetchError, verify_remote
from krai.app.replay_state import MEMORY_BYTES
from krai.app.signatures import default_workers
from krai.app.verify import VerificationError, verify_ledger, verify_stored
from krai.bootstrap import replay_engine, scratch_state, tile_source
from krai.entrypoints.cli.common import (
    EXIT_USAGE,
    HomeOption,
    JsonOption,
    console,
    fail,
    print_json,
    services_for,
)
from krai.log.note import NoteError, NoteVerifier, format_vkey, parse_vkey
from krai.log.policy import Policy, PolicyError, parse_policy

BundleOption = Annotated[
    Path | None, typer.Option("--bundle", help="A bundle written by `krai export`.")
]
UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="A log's C2SP tlog-tiles prefix: http(s):// URL, file:// URL or directory.",
    ),
]
PolicyOption = Annotated[
    Path | None,
    typer.Option(
        "--policy",
        help="With --url: a C2SP tlog-policy file (log key, witnesses, quorum) to trust.",
    ),
]
MemoryOption = Annotated[
    int,
    typer.Option(
        "--memory-mb",
        min=0,
        help="Megabytes of replayed state held in memory; beyond them it moves to a "
        "temporary database.",
    ),
]
UNPINNED = (
    "refusing to trust an unpinned key: a remote log cannot vouch for its own key. Pass "
    "--vkey with the log's verifier key obtained out of band (`krai log vkey` on its home), "
    "--policy with a tlog-policy listing it, or --home of a ledger whose key is this log's."
)


def verify(
    home: HomeOption = None,
    bundle: BundleOption = None,
    url: UrlOption = None,
    vkey: Annotated[
        str | None,
        typer.Option(help="Pin the log's verifier key (default: the home's or the bundle's)."),
    ] = None,
    policy: PolicyOption = None,
    memory_mb: MemoryOption = MEMORY_BYTES >> 20,
    json_output: JsonOption = False,
) -> None:
    """Re-check every signature, leaf and checkpoint and replay all state; exit 0 when sound.

    With --url, the log is read from its tiles and checkpoint alone (`krai serve`, or a
    mirror `krai log export-tiles` wrote), and its key must be pinned (--vkey, --policy or
    --home); --policy also requires its quorum of witness cosignatures on the checkpoint.
    Signatures are checked on every core while the state is replayed in order.
    """
    if bundle and url:
        fail("give --bundle or --url, not both", EXIT_USAGE)
    if policy and not url:
        fail("--policy goes with --url", EXIT_USAGE)
    replay = _Replay(default_workers(), memory_mb << 20)
    try:
        if url:
            report = _verify_url(url, _pinned(vkey, policy, home), replay)
        elif bundle:
            report = _verify_bundle(bundle, vkey, replay)
        else:
            report = _verify_home(home, vkey, replay)
    except (VerificationError, BundleError, NoteError, TileFetchError) as error:
        fail(f"ledger NOT sound: {error}")
    if json_output:
        print_json(report)
    else:
        console.print(
            f"[bold green]sound[/]: {report['entries']} entries, "
            f"{report['checkpoints']} checkpoints, root {report['root_hash']}",
            highlight=False,
        )


def export(
    bundle: Annotated[Path, typer.Option("--bundle", help="The file to write.")],
    home: HomeOption = None,
) -> None:
    """Write a portable bundle that `krai verify --bundle` checks with no database."""
    with services_for(home) as services, bundle.open("w", encoding="utf-8") as sink:
        size = write_bundle(
            services.storage, services.origin, format_vkey(services.log_verifier), sink
        )
    console.print(f"Wrote {size} entries to {bundle}", highlight=False)


def rebuild_state_command(
    home: HomeOption = None,
    memory_mb: MemoryOption = MEMORY_BYTES >> 20,
    json_output: JsonOption = False,
) -> None:
    """Replay the log with this release's rules and make the stored state what it gives
    (after an upgrade whose rules keep new state; run it with the server stopped)."""
    with services_for(home) as services:
        try:
            report = rebuild_state(
                services.storage, replay_engine, scratch=scratch_state, memory_bytes=memory_mb << 20
            )
        except VerificationError as error:
            fail(f"the log does not replay, nothing was changed: {error}")
    if json_output:
        print_json(report.to_json())
        return
    console.print(
        f"replayed {report.entries} entries: {report.written} state records written, "
        f"{report.deleted} removed; state digest {report.state_digest}",
        highlight=False,
    )


class _Replay(NamedTuple):
    """How the replay runs: signature worker processes, and state memory before disk."""

    workers: int
    memory_bytes: int


def _verify_home(home: Path | None, vkey: str | None, replay: _Replay) -> dict[str, object]:
    with services_for(home) as services:
        report = verify_stored(
            services.storage,
            origin=services.origin,
            verifier=parse_vkey(vkey) if vkey else services.log_verifier,
            new_engine=replay_engine,
            workers=replay.workers,
            scratch=scratch_state,
            memory_bytes=replay.memory_bytes,
        )
    return report.to_json()


def _verify_bundle(path: Path, vkey: str | None, replay: _Replay) -> dict[str, object]:
    if not path.exists():
        fail(f"no bundle at {path}", EXIT_USAGE)
    contents = BundleFile(path)
    verifier = parse_vkey(vkey or contents.vkey)
    report = verify_ledger(
        contents.entries(),
        contents.checkpoints,
        origin=contents.origin,
        verifier=verifier,
        new_engine=replay_engine,
        workers=replay.workers,
        scratch=scratch_state,
        memory_bytes=replay.memory_bytes,
    )
    return report.to_json()


def _pinned(vkey: str | None, policy: Path | None, home: Path | None) -> NoteVerifier | Policy:
    """What is trusted: ``--vkey``, the ``--policy``, else the key of the home given; never
    the key a log serves for itself."""
    if vkey and policy:
        fail("give --vkey or --policy, not both", EXIT_USAGE)
    if policy:
        return _policy(policy)
    try:
        if vkey:
            return parse_vkey(vkey)
    except NoteError as error:
        fail(f"--vkey: {error}", EXIT_USAGE)
    if home is None:
        fail(UNPINNED, EXIT_USAGE)
    with services_for(home) as services:
        return services.log_verifier


def _policy(path: Path) -> Policy:
    if not path.is_file():
        fail(f"no policy at {path}", EXIT_USAGE)
    try:
        return parse_policy(path.read_bytes())
    except PolicyError as error:
        fail(f"{path}: {error}", EXIT_USAGE)


def _verify_url(url: str, trust: NoteVerifier | Policy, replay: _Replay) -> dict[str, object]:
    source = tile_source(url)
    try:
        return verify_remote(
            source,
            trust,
            replay_engine,
            workers=replay.workers,
            scratch=scratch_state,
            memory_bytes=replay.memory_bytes,
        )
    finally:
        source.close()
