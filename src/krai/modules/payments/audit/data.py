"""What every part of the audit reads once: the small record kinds, indexed, and the memos the
checks share (``AuditData``); assignments and fact sheets kept as stored and decoded where used
(``Decoded``, ``Holder``, ``read_sheets``); the schedules and rule versions the memos hold
(``Schedule``, ``Versions``, made by ``schedules``); and the readers of records by kind and id.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, ItemsView, Iterator, Mapping, ValuesView
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from typing import Any, TypeVar

import msgspec

from krai.modules.payments.formulas import Value
from krai.modules.payments.model import PREFIX
from krai.modules.payments.records import (
    Assignment,
    Claim,
    Death,
    Dispensing,
    Fact,
    Prescription,
    Programme,
    RuleVersion,
)
from krai.state.records import R, decode_record, read_record, scan_records
from krai.state.store import StateView

CARDS = f"{PREFIX}card/"
"""The prefix of the assignments' cards (``model.card_key``)."""
SHEETS = f"{PREFIX}sheet/"
"""The prefix of the subjects' fact sheets (``model.fact_sheet_key``)."""


T = TypeVar("T")
S = TypeVar("S")


class Decoded(Mapping[str, T]):
    """Records kept as their stored bytes and decoded when first read: the parts of the
    audit decode only what their share needs, and the parent the rest while they run."""

    def __init__(self, raw: dict[str, S], decode: Callable[[S], T]) -> None:
        self._raw = raw
        self._decode = decode
        self._decoded: dict[str, T] = {}
        self._complete = False
        """Whether every record is decoded, in the order of the keys read."""

    def __getitem__(self, key: str) -> T:
        found = self._decoded.get(key)
        if found is None:
            found = self._decoded[key] = self._decode(self._raw[key])
        return found

    def raw_items(self) -> ItemsView[str, Any]:
        """Every record as stored, in the order of the keys read."""
        return self._raw.items()

    def fresh(self, key: str) -> T:
        """The record under ``key`` decoded anew, not kept: for a reader that asks once."""
        return self._decode(self._raw[key])

    def get(self, key: str, default: Any = None) -> Any:
        """The record under ``key``, decoded, or ``default``."""
        return self[key] if key in self._raw else default

    def items(self) -> ItemsView[str, T]:
        """Every record, decoded, in the order of the keys read."""
        return self._all().items()

    def values(self) -> ValuesView[T]:
        """Every record, decoded, in the order of the keys read."""
        return self._all().values()

    def _all(self) -> dict[str, T]:
        if not self._complete:
            done, decode = self._decoded, self._decode
            self._decoded = {k: done.get(k) or decode(raw) for k, raw in self._raw.items()}
            self._complete = True
        return self._decoded

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


@dataclass
class AuditData:
    """What every part of the audit needs: the small record kinds, indexed, and memos."""

    programmes: dict[str, Programme]
    rules: dict[str, list[RuleVersion]]
    sheets: dict[str, bytes]
    """Each subject's fact sheet, as stored, under its key (``SHEETS`` and the subject):
    decoded by the part that needs it."""
    assignments: Mapping[str, Assignment]
    prescriptions: dict[str, Prescription]
    dispensings: dict[str, Dispensing]
    claims: dict[str, Claim]
    died: dict[str, str]
    """The earliest attested death of each subject (pseudonym or deduplication key)."""
    alike: dict[tuple[str, tuple[Any, ...]], "Schedule"] = field(default_factory=dict)
    """The schedule of each programme and facts in rank order, shared by the assignments
    of that programme whose people have those facts (``_schedule``)."""
    briefs: dict[tuple[str, bytes], "Schedule"] = field(default_factory=dict)
    """The schedule of each programme and fact sheet without its entry indexes, for people
    with one sheet (``schedule_of``)."""
    brief_hits: int = 0
    """How many people were found by ``briefs``."""
    by_brief: bool = True
    """Whether people are still looked up by ``briefs`` (``BRIEFS_TRIED``)."""
    deadlines: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)
    """Each programme's deadline of each period (``_deadline``)."""
    versions: dict[str, "Versions"] = field(default_factory=dict)
    owed: dict[tuple[str, str, str, str], list[str]] = field(default_factory=dict)
    """The months owed by the audit's day of each programme and span (``_owed``)."""
    backdated: dict[tuple[str, str], int] = field(default_factory=dict)
    """The ledger time from which a decision of each programme and date is back-dated."""

    @cached_property
    def by_pseudonym(self) -> "Held":
        """The ids of each pseudonym's assignments."""
        return self._indexes[0]

    @cached_property
    def several(self) -> dict[str, list[str]]:
        """The ids of the assignments of each person (deduplication key) who holds more than
        one: only theirs can be incompatible or accrued twice."""
        return self._indexes[1].more

    def index_some(self) -> bool:
        """Index the holders of the next ``HOLDERS_PER_STEP`` assignments, for a caller with
        time to wait (``_indexes`` indexes the rest); whether all are indexed."""
        return self._indexing.done or self._indexing.step(HOLDERS_PER_STEP)

    @cached_property
    def _indexes(self) -> tuple["Held", "Held"]:
        indexing = self._indexing
        while not indexing.step(len(self.assignments) + 1):
            pass
        return indexing.by_pseudonym, indexing.by_person

    @cached_property
    def _indexing(self) -> "Indexing":
        return Indexing(_holders(self.assignments))

    @cached_property
    def in_card_order(self) -> list[str]:
        """The assignment ids in the order of their cards' keys (``{id}/{year}``): an id
        with ``.`` or ``-`` after a shorter one's end sorts before it here. Ids in key order
        are already in it unless one begins with the one before it (ids between an id and one
        that begins with it begin with it too)."""
        ordered = sorted(self.assignments)
        if any(map(str.startswith, ordered[1:], ordered[:-1])):
            ordered.sort(key=lambda assignment_id: assignment_id + "/")
        return ordered

    @cached_property
    def shared(self) -> set[str]:
        """Assignments whose person holds another assignment of the same programme: only
        their accruals can be duplicates."""
        shared: set[str] = set()
        for held in self.several.values():
            programmes = Counter(self.assignments[a].programme_id for a in held)
            shared.update(a for a in held if programmes[self.assignments[a].programme_id] > 1)
        return shared

    @cached_property
    def deaths(self) -> dict[str, str]:
        """The attested date of death of the person behind a pseudonym, over that pseudonym
        and the deduplication keys of its assignments: only pseudonyms of the dead are here."""
        died = self.died
        deaths = {subject: day for subject, day in died.items() if subject.startswith("ps:")}
        by_person = self._indexes[1]
        for dedup_key, day in died.items():
            for assignment_id in by_person.get(dedup_key, ()):
                pseudonym = self.assignments[assignment_id].pseudonym
                if day < deaths.get(pseudonym, "9999"):
                    deaths[pseudonym] = day
        return deaths


HOLDERS_PER_STEP = 8192
"""The assignments ``AuditData.index_some`` indexes a call."""


class Indexing:
    """The indexes of the assignments' holders, by pseudonym and by person, built a step at
    a time."""

    def __init__(self, holders: Iterator[tuple[str, "Holder | Assignment"]]) -> None:
        self._holders = holders
        self.by_pseudonym, self.by_person = Held(), Held()
        self.done = False
        """Whether every assignment is indexed."""

    def step(self, count: int) -> bool:
        """Index up to ``count`` more assignments; whether every one is now indexed."""
        added = 0
        for assignment_id, holder in islice(self._holders, count):
            self.by_pseudonym.add(holder.pseudonym, assignment_id)
            self.by_person.add(holder.dedup_key, assignment_id)
            added += 1
        self.done = added < count
        return self.done


class Held:
    """Each holder's assignment ids, in the order read: the first kept alone, a list made only
    for a holder of several (most hold one, and a list each would be most of the index's cost).
    ``more`` holds exactly the holders of several."""

    def __init__(self) -> None:
        self.first: dict[str, str] = {}
        self.more: dict[str, list[str]] = {}

    def add(self, holder: str, assignment_id: str) -> None:
        """Record that ``holder`` holds ``assignment_id`` (each id added once)."""
        first = self.first.setdefault(holder, assignment_id)
        if first is not assignment_id:  # ids are distinct: another assignment came first
            self.more.setdefault(holder, [first]).append(assignment_id)

    def get(self, holder: str, default: list[str] | tuple[()] = ()) -> list[str] | tuple[()]:
        """The ids of ``holder``'s assignments, or ``default`` when it holds none."""
        more = self.more.get(holder)
        if more is not None:
            return more
        first = self.first.get(holder)
        return default if first is None else [first]


class Holder(msgspec.Struct, frozen=True):
    """Whom an assignment is held by: the two fields of its record the audit's indexes read
    of every assignment, the others skipped (each is decoded in full by the part that holds
    it, where an unknown or malformed field is refused)."""

    pseudonym: str
    dedup_key: str


_HOLDER = msgspec.json.Decoder(Holder)


def _holders(assignments: Mapping[str, Assignment]) -> Iterator[tuple[str, Holder | Assignment]]:
    """Each assignment's id and holder, read from its stored bytes when it is kept so."""
    if not isinstance(assignments, Decoded):
        yield from assignments.items()
        return
    decode = _HOLDER.decode
    for assignment_id, raw in assignments.raw_items():
        yield assignment_id, decode(raw)


@dataclass(slots=True)
class Schedule:
    """The dates on which what an assignment gives can change — a rule version of its
    programme takes effect, a fact about its person starts or stops being valid — and what
    it gives between them, evaluated when first asked."""

    programme_id: str
    facts: list[Fact]
    """Every fact attested about the person, over the pseudonym and the deduplication key."""
    changes: list[str]
    dues: list[dict[str, Any] | None]
    shared: bool = False
    """Whether another assignment's person has the same facts (``_schedule``)."""
    bounds: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Once shared, for each period asked about, the most an accrual may be without a closer
    look and the ledger time from which it is late (``_bounds``)."""


@dataclass(slots=True)
class Versions:
    """A programme's rule versions in the order they take effect, and their formulas
    compiled."""

    starts: list[str]
    rules: list[RuleVersion]
    formulas: list[tuple[Callable[..., Value], Callable[..., Value]]]


def load(view: StateView, sheets: dict[str, bytes] | None = None) -> AuditData:
    """Read the small record kinds once; fact sheets and assignments are decoded where used.
    ``sheets``: the fact sheets (``read_sheets``) when another process reads them — ``{}``
    until they are set on the data; None reads them here."""
    rules: dict[str, list[RuleVersion]] = defaultdict(list)
    for key, rule in scan_records(view, f"{PREFIX}rule/", RuleVersion):
        rules[key.split("/")[2]].append(rule)
    programmes = by_id(view, "programme", Programme)
    assignments = Decoded(_raw_by_id(view, "assignment"), _assignment)
    prescriptions = by_id(view, "prescription", Prescription)
    dispensings = by_id(view, "dispense", Dispensing)
    claims = by_id(view, "claim", Claim)
    died = {subject: death.died for subject, death in by_id(view, "death", Death).items()}
    return AuditData(
        programmes,
        rules,
        read_sheets(view) if sheets is None else sheets,
        assignments,
        prescriptions,
        dispensings,
        claims,
        died,
    )


def read_sheets(view: StateView) -> dict[str, bytes]:
    """Every subject's fact sheet as stored, under its key."""
    return dict(view.scan_bytes(SHEETS))


def _assignment(raw: bytes) -> Assignment:
    return decode_record(raw, Assignment, "an assignment")


def record(view: StateView, kind: str, record_id: str, cls: type[R]) -> R:
    """A record the ledger's own indexes name, which must therefore exist."""
    found = read_record(view, f"{PREFIX}{kind}/{record_id}", cls)
    assert found is not None, f"{kind} {record_id} is named by the payments state but absent"
    return found


def by_id(view: StateView, kind: str, cls: type[R]) -> dict[str, R]:
    prefix = f"{PREFIX}{kind}/"
    return {key[len(prefix) :]: found for key, found in scan_records(view, prefix, cls)}


def _raw_by_id(view: StateView, kind: str) -> dict[str, bytes]:
    cut = len(f"{PREFIX}{kind}/")
    return {key[cut:]: raw for key, raw in view.scan_bytes(f"{PREFIX}{kind}/")}
