"""``krai log witnesses``, ``krai log cosign`` and ``krai log check-cosigned``: the witnesses
that cosign this log, a round of cosigning, and a check of a checkpoint against a policy."""

import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import httpx
import typer

from krai.app.publication import NotYetPublishedError, collect_once, published_note
from krai.bootstrap import configured_witnesses
from krai.config.settings import WitnessSettings, load_settings, write_witnesses
from krai.entrypoints.cli.common import (
    EXIT_USAGE,
    HomeOption,
    JsonOption,
    console,
    fail,
    print_json,
    services_for,
    settings_for,
)
from krai.log.cosigned import QuorumError, k_of_n_policy_text, verify_with_policy
from krai.log.note import NoteError, check_key_name, parse_cosignature_vkey
from krai.log.policy import PolicyError, parse_policy

app = typer.Typer(
    help="The witnesses that cosign this log's checkpoints, and how many must.",
    no_args_is_help=True,
)


@app.command()
def add(
    name: Annotated[str, typer.Argument(help="A name for the witness in this home.")],
    url: Annotated[str, typer.Argument(help="Its tlog-witness URL prefix (http...).")],
    vkey: Annotated[str, typer.Argument(help="Its cosignature verifier key (type 0x04).")],
    home: HomeOption = None,
) -> None:
    """Ask this witness for cosignatures from now on."""
    settings = settings_for(home)
    try:
        check_key_name(name)
        verifier = parse_cosignature_vkey(vkey)
    except NoteError as error:
        fail(str(error), EXIT_USAGE)
    if not url.startswith(("http://", "https://")):
        fail("the URL starts with http:// or https://", EXIT_USAGE)
    for known in configured_witnesses(settings):
        if name == known.name or verifier.name == known.verifier.name:
            fail(f"a witness named {name} or with key name {verifier.name} is there", EXIT_USAGE)
    witnesses = (*settings.witnesses, WitnessSettings(name, url, vkey))
    write_witnesses(settings.home, witnesses, settings.witness_quorum)
    _print_witnesses(load_settings(settings.home).witnesses, False, settings.home)


@app.command()
def remove(
    name: Annotated[str, typer.Argument(help="The witness's name.")], home: HomeOption = None
) -> None:
    """Stop asking this witness."""
    settings = settings_for(home)
    kept = tuple(w for w in settings.witnesses if w.name != name)
    if len(kept) == len(settings.witnesses):
        fail(f"no witness named {name}", EXIT_USAGE)
    if settings.witness_quorum is not None and settings.witness_quorum > len(kept):
        fail(f"the policy needs {settings.witness_quorum}; lower it first", EXIT_USAGE)
    quorum = settings.witness_quorum if kept else None
    write_witnesses(settings.home, kept, quorum)
    _print_witnesses(kept, False, settings.home)


@app.command("list")
def list_witnesses(home: HomeOption = None, json_output: JsonOption = False) -> None:
    """The witnesses and the quorum a published checkpoint needs."""
    settings = settings_for(home)
    _print_witnesses(settings.witnesses, json_output, settings.home)


@app.command()
def policy(
    k: Annotated[int, typer.Argument(help="How many witnesses must cosign (1..n).")],
    home: HomeOption = None,
) -> None:
    """Publish a checkpoint only once K of the witnesses cosigned it."""
    settings = settings_for(home)
    if not 1 <= k <= len(settings.witnesses):
        fail(f"K lies in 1..{len(settings.witnesses)} (the witnesses configured)", EXIT_USAGE)
    write_witnesses(settings.home, settings.witnesses, k)
    console.print(f"A checkpoint is published once {k} of {len(settings.witnesses)} cosigned it")


@app.command("policy-file")
def policy_file(
    home: HomeOption = None,
    mirror: Annotated[
        list[str] | None,
        typer.Option(
            help="A mirror's cosignature key (a follower's, `krai follow --mirror-name`) whose "
            "cosignature the policy also requires (repeat)."
        ),
    ] = None,
    mirrors: Annotated[
        int | None,
        typer.Option(min=1, help="How many of the --mirror keys must cosign (default: all)."),
    ] = None,
) -> None:
    """This log's policy as a C2SP tlog-policy file, for clients to verify with; with
    --mirror, it also requires the mirrors' cosignatures ("stored and verified there")."""
    try:
        keys = [parse_cosignature_vkey(vkey) for vkey in mirror or []]
    except NoteError as error:
        fail(f"--mirror: {error}", EXIT_USAGE)
    mirror_k = len(keys) if mirrors is None else mirrors
    with services_for(home) as services:
        witnesses = configured_witnesses(services.settings)
        named = [(w.name, w.verifier, w.url) for w in witnesses]
        try:
            text = k_of_n_policy_text(
                services.log_verifier,
                named,
                services.settings.quorum,
                [(key.name, key, None) for key in keys],
                mirror_k,
            )
            parse_policy(text)
        except PolicyError as error:
            fail(f"the policy: {error}", EXIT_USAGE)
    sys.stdout.write(text)


def _print_witnesses(witnesses: tuple[WitnessSettings, ...], json_output: bool, home: Path) -> None:
    quorum = load_settings(home).quorum
    if json_output:
        print_json({"quorum": quorum, "witnesses": [asdict(w) for w in witnesses]})
        return
    for witness in witnesses:
        console.print(f"{witness.name}  {witness.url}  {witness.vkey}", highlight=False)
    console.print(f"quorum: {quorum} of {len(witnesses)}", highlight=False)


def cosign(home: HomeOption = None, json_output: JsonOption = False) -> None:
    """Send the newest checkpoint to the witnesses now and keep their cosignatures."""
    with services_for(home) as services:
        if not services.settings.witnesses:
            fail("no witnesses configured: krai log witnesses add NAME URL VKEY", EXIT_USAGE)
        outcomes = collect_once(services.publication, services.witness_client, services.clock)
    documents = [asdict(outcome) for outcome in outcomes]
    if json_output:
        print_json(documents)
    else:
        for document in documents:
            state = "cosigned" if document["cosigned"] else "did not cosign"
            console.print(
                f"{document['witness']} {state} size {document['size']}: {document['detail']}",
                highlight=False,
            )
    if any(not outcome.cosigned for outcome in outcomes):
        raise typer.Exit(1)


def check_cosigned(
    policy_path: Annotated[
        Path,
        typer.Option("--policy", help="A C2SP tlog-policy file (krai log witnesses policy-file)."),
    ],
    url: Annotated[
        str | None, typer.Option(help="Check the checkpoint this server publishes instead.")
    ] = None,
    note: Annotated[
        Path | None, typer.Option(help="Check this signed note (a file) instead.")
    ] = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Check a checkpoint against a policy: the log's signature and the witnesses' quorum.

    By default the checkpoint this home publishes; ``--url`` reads ``<url>/checkpoint``.
    """
    try:
        trusted = parse_policy(policy_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, PolicyError) as error:
        fail(f"the policy: {error}", EXIT_USAGE)
    text = _checkpoint_text(url, note, home)
    try:
        verified = verify_with_policy(text, trusted)
    except (QuorumError, NoteError) as error:
        if json_output:
            print_json({"valid": False, "reason": str(error)})
        fail(str(error))
    document = {
        "valid": True,
        "origin": verified.checkpoint.origin,
        "size": verified.checkpoint.size,
        "root_hash": verified.checkpoint.root_hash.hex(),
        "cosigners": [
            {"witness": name, "timestamp": verified.timestamps[name]} for name in verified.cosigners
        ],
    }
    if json_output:
        print_json(document)
        return
    names = ", ".join(verified.cosigners) or "no witness"
    console.print(
        f"valid: {verified.checkpoint.origin} size {verified.checkpoint.size}, cosigned by {names}",
        highlight=False,
    )


def _checkpoint_text(url: str | None, note: Path | None, home: Path | None) -> str:
    if note is not None:
        return note.read_text(encoding="utf-8")
    if url is not None:
        try:
            response = httpx.get(url.rstrip("/") + "/checkpoint", timeout=10.0)
        except httpx.HTTPError as error:
            fail(f"{url}: {error}")
        if response.status_code != 200:
            fail(f"{url}/checkpoint answered {response.status_code}: {response.text[:200]}")
        return response.text
    with services_for(home) as services:
        try:
            published = published_note(services.publication)
        except NotYetPublishedError:
            fail("no checkpoint has been cosigned by the home's quorum yet")
        latest = services.storage.latest_checkpoint()
    if published is not None:
        return published
    if latest is None:
        fail("no checkpoint has been signed yet")
    return latest.note
