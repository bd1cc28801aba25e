"""``krai follow``: keep a verified copy of a remote log in a home of one's own (ADR 0036).

The home is an ordinary krai home (every read command, `krai verify`, `krai serve` and the
dashboard work on it) whose ledger only this command writes: the primary's entries at the
same indexes with the same bytes, and the checkpoints it accepted.
"""

import json
import shlex
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from krai.app.cosigning import CosignatureCollector, Witness
from krai.app.follow import Follower, PollReport, Trust
from krai.app.follow_mirror import MirrorCosigner
from krai.app.ports import WitnessKeyError
from krai.app.remote_verify import TileFetchError
from krai.app.signatures import default_workers
from krai.bootstrap import (
    FollowerHomeError,
    Services,
    follower_files,
    follower_settings,
    mirror_key,
    new_engine,
    stored_trust,
    tile_source,
    write_genesis,
)
from krai.config.settings import Settings
from krai.entrypoints.cli.common import (
    EXIT_USAGE,
    HomeOption,
    console,
    errors,
    fail,
    opened,
    print_json,
)
from krai.entrypoints.cli.serve import DatabaseOption, HostOption, PortOption, serve_home
from krai.log.note import NoteError, NoteVerifier, format_vkey, parse_vkey
from krai.log.policy import Policy, PolicyError, parse_policy
from krai.state.entry import decode_entry

EXIT_UNREACHABLE = 1
"""``--once``: the poll could not advance (the log unreachable, a quorum not met yet)."""
EXIT_ALARM = 4
"""``--once``: an alarm stands — the log showed a history that contradicts a signed one."""
NOTIFY_TIMEOUT_S = 30


def follow(
    url: Annotated[
        str, typer.Argument(help="The log's C2SP tlog-tiles prefix: http(s)://, file:// or a path.")
    ],
    policy: Annotated[
        Path | None,
        typer.Option(help="A C2SP tlog-policy (log key, witnesses, quorum) to accept under."),
    ] = None,
    vkey: Annotated[str | None, typer.Option(help="The log's verifier key, pinned.")] = None,
    home: HomeOption = None,
    database: DatabaseOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="Poll once; exit 0 in step, 1 not advanced, 4 alarm.")
    ] = False,
    interval: Annotated[float, typer.Option(min=0.05, help="Seconds between polls.")] = 0.5,
    notify: Annotated[
        str | None,
        typer.Option(help="A command run on an alarm, with its JSON summary on stdin."),
    ] = None,
    peer: Annotated[
        list[str] | None,
        typer.Option(
            help="Another follower's (or mirror's) URL: what it accepted must agree (repeat)."
        ),
    ] = None,
    serve: Annotated[
        bool, typer.Option("--serve", help="Also serve the copy's read API and dashboard.")
    ] = False,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    json_output: Annotated[bool, typer.Option("--json", help="Print each poll as JSON.")] = False,
    mirror_name: Annotated[
        str | None,
        typer.Option(
            help="Cosign each accepted checkpoint as a mirror under this key name (the key is "
            "created in <home>/mirror on first use; once there, it is always used). Served, "
            "the home also takes the log's tlog-mirror pushes at /mirror/add-checkpoint and "
            "/mirror/add-entries (ADR 0037)."
        ),
    ] = None,
) -> None:
    """Mirror, verify and (with --serve) serve a remote log; raise the alarm on a fork.

    Every new checkpoint must be signed by the pinned key (and cosigned as the policy asks),
    consistent with what this home verified, and its entries must match the log's tiles,
    carry valid signatures and replay. On a contradiction the follower stops advancing and
    keeps the evidence in <home>/alarms/.
    """
    given = _trust(policy, vkey)  # read and checked here: a bad one exits naming the option
    try:
        policy_text = None if policy is None else policy.read_text(encoding="utf-8")
        settings = follower_settings(home, database, url, given, policy_text)
        trust = stored_trust(settings)
    except (FollowerHomeError, OSError, PolicyError) as error:
        fail(str(error), EXIT_USAGE)
    with _services(settings) as services, _witnesses(services, trust) as witnesses:
        mirror = _mirror(services, mirror_name)
        follower = _follower(services, url, trust, json_output, peer or [], witnesses, mirror)
        try:
            report = _poll(follower, services, notify, json_output)
            if once:
                raise typer.Exit(_exit_code(report))
            if serve:
                if not services.settings.genesis_file.exists():
                    fail(f"nothing verified yet from {url} to serve: {report.error}")
                _serve_while_following(follower, services, notify, interval, (host, port))
            else:
                _follow_forever(follower, services, notify, interval, json_output)
        finally:
            follower.close()


def _trust(policy: Path | None, vkey: str | None) -> Trust | None:
    """The trust given on the command line (None: the home's, from an earlier run)."""
    parsed = _read_policy(policy) if policy else None
    if vkey:
        try:
            return Trust(parse_vkey(vkey), parsed)
        except NoteError as error:
            fail(f"--vkey: {error}", EXIT_USAGE)
    if parsed is not None:
        return Trust(_policy_log(parsed), parsed)
    return None


def _read_policy(path: Path) -> Policy:
    try:
        return parse_policy(path.read_text(encoding="utf-8"))
    except (OSError, PolicyError) as error:
        fail(f"--policy {path}: {error}", EXIT_USAGE)


def _policy_log(policy: Policy) -> NoteVerifier:
    if len(policy.logs) != 1:
        fail("the policy lists several logs: pin the one to follow with --vkey", EXIT_USAGE)
    return policy.logs[0]


@contextmanager
def _services(settings: Settings) -> Iterator[Services]:
    services = opened(settings)
    try:
        yield services
    finally:
        services.close()


@contextmanager
def _witnesses(services: Services, trust: Trust) -> Iterator[CosignatureCollector | None]:
    """The policy's witnesses that have a URL, to send accepted checkpoints to (None: no
    policy, or no witness URL in it)."""
    policy = trust.policy
    witnesses = (
        [
            Witness(name, policy.urls[name], key)
            for name, key in sorted(policy.witnesses.items())
            if name in policy.urls
        ]
        if policy is not None
        else []
    )
    if not witnesses or services.cosigned is None:
        yield None
        return
    collector = CosignatureCollector(
        services.storage, services.cosigned, services.witness_client, witnesses, services.clock
    )
    try:
        yield collector
    finally:
        collector.close()


def _mirror(services: Services, name: str | None) -> MirrorCosigner | None:
    """The home's mirror cosigner (created under ``name`` on first use), or None."""
    try:
        signer = mirror_key(services.settings, name)
    except (WitnessKeyError, NoteError) as error:
        fail(f"--mirror-name: {error}", EXIT_USAGE)
    if signer is None:
        return None
    if services.cosigned is None:
        fail("a mirror keeps its cosignatures in a SQL database", EXIT_USAGE)
    if name is not None:
        errors.print(f"mirror cosignature key: {format_vkey(signer.verifier)}", highlight=False)
    return MirrorCosigner(signer, services.cosigned, services.clock)


def _follower(
    services: Services,
    url: str,
    trust: Trust,
    quiet: bool,
    peers: list[str],
    witnesses: CosignatureCollector | None,
    mirror: MirrorCosigner | None = None,
) -> Follower:
    def progress(size: int) -> None:
        if not quiet:
            errors.print(f"verified and stored {size} entries", highlight=False)

    try:
        source, peer_sources = tile_source(url), [tile_source(peer) for peer in peers]
    except TileFetchError as error:
        fail(f"cannot read the log: {error}", EXIT_USAGE)
    return Follower(
        services.storage,
        new_engine(),
        source=source,
        trust=trust,
        files=follower_files(services.settings),
        clock=services.clock,
        progress=progress,
        peers=peer_sources,
        workers=default_workers(),
        keep_workers=True,  # a busy log is polled again at once: its workers stay up
        witnesses=witnesses,
        mirror=mirror,
    )


def _poll(follower: Follower, services: Services, notify: str | None, quiet: bool) -> PollReport:
    """One poll, under the home's sequencing lock; then the genesis copied, the alarm told."""
    with services.storage.sequencing():
        report = follower.poll()
    settings = services.settings
    if not settings.genesis_file.exists() and services.storage.log_size():
        stored = services.storage.entry(0)
        assert stored is not None
        write_genesis(settings, decode_entry(stored.data).genesis or {})
    if report.raised and notify:
        _notify(notify, report.alarm or {})
    _print(report, quiet)
    return report


def _print(report: PollReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_json())
        return
    for problem in report.peer_errors:
        errors.print(f"[yellow]peer not compared[/]: {problem}", highlight=False)
    if report.alarm is not None:
        alarm = report.alarm
        errors.print(
            f"[bold red]ALARM[/] ({alarm['kind']}): {alarm['message']}; evidence in "
            f"{alarm['evidence']}",
            highlight=False,
        )
    elif report.error is not None:
        errors.print(f"[yellow]not advanced[/]: {report.error}", highlight=False)
    else:
        console.print(
            f"in step: {report.size} entries verified, checkpoint {report.accepted} accepted "
            f"(+{report.appended})",
            highlight=False,
        )


def _notify(command: str, summary: dict[str, Any]) -> None:
    """Run the operator's ``--notify`` command with the alarm's summary on stdin."""
    try:
        subprocess.run(  # noqa: S603 - the operator's own command, not a shell
            shlex.split(command),
            input=json.dumps(summary, indent=1).encode(),
            timeout=NOTIFY_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        errors.print(f"--notify failed: {error}", highlight=False)


def _exit_code(report: PollReport) -> int:
    if report.alarm is not None:
        return EXIT_ALARM
    return EXIT_UNREACHABLE if report.error is not None else 0


def _pause(last: PollReport | None, interval: float) -> float:
    """Seconds before the next poll: none after one that stored entries (the log is busy,
    so more are likely published already), else the interval."""
    return 0.0 if last is not None and last.appended and last.alarm is None else interval


def _follow_forever(
    follower: Follower, services: Services, notify: str | None, interval: float, quiet: bool
) -> None:
    report = None
    while True:
        time.sleep(_pause(report, interval))
        report = _poll(follower, services, notify, quiet)


def _serve_while_following(
    follower: Follower,
    services: Services,
    notify: str | None,
    interval: float,
    address: tuple[str, int],
) -> None:
    """Poll on a thread while this one serves the home (until interrupted)."""
    stop = threading.Event()

    def polling() -> None:
        report = None
        while not stop.wait(_pause(report, interval)):
            try:
                report = _poll(follower, services, notify, quiet=True)
            except Exception as error:  # the server goes on; the next poll retries
                report = None
                errors.print(f"[yellow]poll failed[/]: {error}", highlight=False)

    thread = threading.Thread(target=polling, name="krai-follow", daemon=True)
    thread.start()
    try:
        serve_home(services.settings.home, *address)
    finally:
        stop.set()
        thread.join(timeout=interval + 30)
