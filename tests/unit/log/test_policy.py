"""C2SP tlog-policy: parsing the file strictly and evaluating the witness quorum."""

import re

import pytest

from krai.log.note import CosignatureSigner, NoteSigner, format_vkey
from krai.log.policy import NO_QUORUM, PolicyError, parse_policy

LOG = NoteSigner("krai.example/log", bytes([1]) * 32)
OTHER_LOG = NoteSigner("krai.example/other", bytes([2]) * 32)
WITNESSES = {
    name: CosignatureSigner(f"{name.lower()}.example", bytes([10 + number]) * 32)
    for number, name in enumerate(["X1", "X2", "X3", "Y1", "Y2", "Y3"])
}


def vkey(name: str) -> str:
    return format_vkey(WITNESSES[name].verifier)


LOG_VKEY = format_vkey(LOG.verifier)
EXAMPLE = f"""# the example of C2SP tlog-policy, with keys
log {LOG_VKEY} https://krai.example/log

witness X1 {vkey("X1")}
witness X2\t{vkey("X2")}   https://x2.example/witness
   witness X3 {vkey("X3")}
group X-witnesses 2 X1 X2 X3

witness Y1 {vkey("Y1")}
witness Y2 {vkey("Y2")}
witness Y3 {vkey("Y3")}
group Y-witnesses any Y1 Y2 Y3

group X-and-Y all X-witnesses Y-witnesses
quorum X-and-Y
"""


def test_the_specs_example_parses_with_its_groups() -> None:
    policy = parse_policy(EXAMPLE)
    assert [log.name for log in policy.logs] == ["krai.example/log"]
    assert policy.logs_for("krai.example/log") == [LOG.verifier]
    assert policy.logs_for("krai.example/other") == []
    assert set(policy.witnesses) == set(WITNESSES)
    assert policy.witnesses["X2"] == WITNESSES["X2"].verifier
    assert policy.groups["X-witnesses"].threshold == 2
    assert policy.groups["Y-witnesses"].threshold == 1
    assert policy.groups["X-and-Y"].threshold == 2
    assert policy.quorum == "X-and-Y"


@pytest.mark.parametrize(
    ("cosigners", "met"),
    [
        ({"X1", "X2", "Y3"}, True),
        ({"X1", "X3", "Y1", "Y2"}, True),
        ({"X1", "Y1", "Y2", "Y3"}, False),
        ({"X1", "X2", "X3"}, False),
        (set(), False),
    ],
)
def test_the_quorum_needs_two_xs_and_one_y(cosigners: set[str], met: bool) -> None:
    assert parse_policy(EXAMPLE).quorum_met(cosigners) is met


def test_quorum_none_needs_no_cosignature_and_a_single_witness_itself() -> None:
    assert parse_policy(f"log {LOG_VKEY}\nquorum none\n").quorum_met(set())
    single = parse_policy(f"witness W {vkey('X1')}\nquorum W")
    assert single.logs == ()
    assert not single.quorum_met(set())
    assert single.quorum_met({"W"})


def test_the_quorum_is_described_in_words() -> None:
    policy = parse_policy(EXAMPLE)
    assert policy.describe() == (
        "2 of (2 of (witness X1, witness X2, witness X3), "
        "1 of (witness Y1, witness Y2, witness Y3))"
    )
    assert parse_policy("quorum none").describe() == "no cosignature"


BAD = {
    "no quorum": (f"log {LOG_VKEY}\n", "exactly one quorum line; this one has none"),
    "two quorums": ("quorum none\nquorum none\n", "line 2: a policy has exactly one quorum"),
    "unknown keyword": ("logs x\nquorum none", "line 1: unknown keyword 'logs'"),
    "log without key": ("log\nquorum none", "line 1: expected 'log <vkey> [<url>]'"),
    "log with too many items": (f"log {LOG_VKEY} u v\nquorum none", "line 1: expected"),
    "log with a witness key": (f"log {vkey('X1')}\nquorum none", "line 1: expected a type 0x01"),
    "witness with a log key": (f"witness W {LOG_VKEY}\nquorum W", "line 1: expected a type 0x04"),
    "duplicate log key": (
        f"log {LOG_VKEY}\nlog {LOG_VKEY} https://mirror.example\nquorum none",
        "line 2: this log key is already listed",
    ),
    "duplicate witness key": (
        f"witness A {vkey('X1')}\nwitness B {vkey('X1')}\nquorum A",
        "line 2: this witness key is already listed",
    ),
    "duplicate name": (
        f"witness A {vkey('X1')}\nwitness A {vkey('X2')}\nquorum A",
        "line 2: the name 'A' is already defined",
    ),
    "witness named none": (f"witness none {vkey('X1')}\nquorum none", "line 1: the name 'none'"),
    "group of an undefined name": (
        f"witness A {vkey('X1')}\ngroup G any A B\nquorum G",
        "line 2: group member 'B' is not a witness or group defined above",
    ),
    "member listed twice": (
        f"witness A {vkey('X1')}\ngroup G any A A\nquorum G",
        "line 2: 'A' is already a group member",
    ),
    "member of two groups": (
        f"witness A {vkey('X1')}\ngroup G any A\ngroup H any A\nquorum G",
        "line 3: 'A' is already a group member",
    ),
    "threshold above the members": (
        f"witness A {vkey('X1')}\ngroup G 2 A\nquorum G",
        "line 2: a threshold of 2 with only 1 member",
    ),
    "threshold zero": (f"witness A {vkey('X1')}\ngroup G 0 A\nquorum G", "line 2: a group"),
    "group without members": (f"witness A {vkey('X1')}\ngroup G any\nquorum A", "line 2"),
    "quorum defined later": (f"quorum A\nwitness A {vkey('X1')}", "line 1: the quorum 'A'"),
    "carriage return": (f"log {LOG_VKEY}\r\nquorum none\n", "line 1: a control character"),
    "wrong key id": (
        "log {}+00000000+{}\nquorum none".format(*LOG_VKEY.split("+")[::2]),
        "line 1: verifier key id 00000000 does not match",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_malformed_policy_is_refused_naming_its_line(case: str) -> None:
    text, message = BAD[case]
    with pytest.raises(PolicyError, match=re.escape(message)):
        parse_policy(text)


def test_names_are_opaque_octets_and_comments_may_hold_anything() -> None:
    policy = parse_policy(
        f"# Ключи свидетелей\nwitness \N{KELVIN SIGN} {vkey('X1')}\n"
        f"witness K {vkey('X2')}\ngroup both all \N{KELVIN SIGN} K\nquorum both\n".encode()
    )
    assert set(policy.witnesses) == {"\N{KELVIN SIGN}", "K"}
    assert not policy.quorum_met({"K"})
    assert NO_QUORUM == "none"


def test_another_logs_key_is_not_this_logs() -> None:
    policy = parse_policy(f"log {format_vkey(OTHER_LOG.verifier)}\nquorum none")
    assert policy.logs_for(LOG.name) == []
