"""The demo's follower (``krai demo --follower``): a ``krai follow`` home under
``<home>/follower`` that mirrors, verifies and cosigns the demo's log (issue 20, ADR 0036).

It first catches up from the demo's tiles (``<home>/tiles``, as ``krai log export-tiles``
writes them) under the log's own policy, so it starts from the whole verified world; served,
it then follows the primary's HTTP address and serves its own copy and dashboard beside it.
Like the demo's witnesses it is the operator's own process: it shows the mechanism.
"""

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from krai.bootstrap import mirror_key
from krai.config.settings import load_settings
from krai.entrypoints.cli.common import console, fail
from krai.entrypoints.cli.demo_witnesses import krai_process
from krai.log.note import format_vkey

FOLLOWER_DIRECTORY = "follower"
TILES_DIRECTORY = "tiles"
MIRROR_NAME = "mirror.demo.krai.example/follower"


def catch_up(home: Path) -> Path:
    """Export the demo's tiles, have a new follower catch up from them once and cosign what
    it verified; print its verdict and check its cosigned checkpoint under the log's policy
    with the follower as a required mirror (``<home>/mirror-policy.txt``). The follower's
    home; the demo fails if it does not come in step."""
    tiles, follower = home / TILES_DIRECTORY, home / FOLLOWER_DIRECTORY
    _krai("log", "export-tiles", str(tiles), "--home", str(home))
    policy = home / "policy.txt"
    policy.write_text(_krai("log", "witnesses", "policy-file", "--home", str(home)), "utf-8")
    result = _run(
        "follow", str(tiles), "--policy", str(policy), "--home", str(follower), "--once",
        "--mirror-name", MIRROR_NAME,
    )  # fmt: skip
    if result.returncode != 0:
        fail(f"the follower did not come in step:\n{result.stderr}{result.stdout}")
    console.print(f"Follower {follower}: {result.stdout.strip()}", highlight=False)
    signer = mirror_key(load_settings(follower))
    assert signer is not None  # made by --mirror-name
    vkey = format_vkey(signer.verifier)
    mirrored = home / "mirror-policy.txt"
    text = _krai("log", "witnesses", "policy-file", "--home", str(home), "--mirror", vkey)
    mirrored.write_text(text, "utf-8")
    checked = json.loads(
        _krai("log", "check-cosigned", "--policy", str(mirrored), "--home", str(follower), "--json")
    )
    cosigners = ", ".join(cosigner["witness"] for cosigner in checked["cosigners"])
    console.print(
        f"  its checkpoint of size {checked['size']:,} meets {mirrored.name} "
        f"(the witnesses and this mirror): cosigned by {cosigners}",
        highlight=False,
        soft_wrap=True,
    )
    return follower


@contextmanager
def following(follower: Path, primary_url: str, host: str, port: int) -> Iterator[None]:
    """``krai follow PRIMARY --serve`` on ``follower`` while the block runs."""
    arguments = ["follow", primary_url, "--home", str(follower), "--serve"]
    with krai_process([*arguments, "--host", host, "--port", str(port)], follower / "follow.log"):
        console.print(
            f"Follower serving its verified copy at http://{host}:{port}/ "
            f"(following {primary_url}; log in {follower / 'follow.log'})",
            highlight=False,
        )
        yield


def _krai(*args: str) -> str:
    result = _run(*args)
    if result.returncode != 0:
        fail(f"krai {' '.join(args)}: {result.stderr}")
    return result.stdout


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "krai", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
