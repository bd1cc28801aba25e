"""The state engine: dispatch by (type, version), authorisation, check → validate → apply.

Modules register handlers. For each transaction the engine, in order: finds the handler
(``unknown_type`` / ``unknown_version``), checks the network, asks the ``Authority`` (the
identity module) for the signer's key and roles, refuses a replayed (signer, nonce),
decodes the body strictly, runs the handler's stateless ``check``, then ``validate`` and
``apply`` against an overlay of the state. Only when all pass are the overlay's writes
returned; a refused transaction writes nothing.
"""

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple, Protocol, TypeVar, cast

from krai.crypto.keys import PublicKey
from krai.state.entry import Entry
from krai.state.events import Event, event_json
from krai.state.messages import Message, decode_message, message_schema
from krai.state.store import Overlay, StateView, Value, decode_value, read
from krai.tx.envelope import Transaction
from krai.tx.errors import Code, RejectedError

M = TypeVar("M")
T = TypeVar("T")
ANY_ORGANISATION = frozenset({"*"})
NETWORK_KEY = "ledger/network"


@dataclass(slots=True)
class Context:
    """What a rule sees: the state (through an overlay), the signer and the sequenced time."""

    state: Overlay
    signer: str
    tx_id: str
    index: int
    time_ms: int
    events: list[Event] = field(default_factory=list)
    references: Mapping[str, Callable[[str], str]] = field(default_factory=dict)
    """State key of each kind of reference (``"park"`` → key of a park id) the engine's
    modules provide: what ``require_reference`` resolves."""
    _computed: dict[Hashable, Any] = field(default_factory=dict)

    def read(self, key: str) -> Value | None:
        """The value under ``key`` in the state as this transaction sees it."""
        return read(self.state, key)

    def emit(self, event: Event) -> None:
        """Record a fact this transaction established."""
        self.events.append(event)

    def provenance(self) -> dict[str, Any]:
        """Who establishes a record, and where and when in the log: the fields every module
        keeps beside what it records (``by``, ``index``, ``time_ms``, ``tx_id``)."""
        return {
            "by": self.signer,
            "index": self.index,
            "time_ms": self.time_ms,
            "tx_id": self.tx_id,
        }

    def once(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` the first time ``key`` is asked for in this entry, then the same value:
        what validate derives from the state, apply finds again without re-reading it."""
        if key not in self._computed:
            self._computed[key] = compute()
        return cast("T", self._computed[key])

    def require(self, key: str, what: str) -> Value:
        """The value under ``key``, or a ``not_found`` refusal saying ``what`` is missing."""
        found = self.read(key)
        if found is None:
            raise RejectedError(Code.NOT_FOUND, f"{what} is not registered")
        return found

    def require_reference(self, kind: str, identifier: str) -> Value:
        """The record a ``kind`` reference names, held by another module: a ``not_found``
        refusal when it is missing, a ``rule_violation`` when no module of this ledger
        provides references of that kind."""
        key = self.references.get(kind)
        if key is None:
            raise RejectedError(
                Code.RULE_VIOLATION,
                f"no module of this ledger keeps {kind} records, so {kind} {identifier} "
                "cannot be checked",
            )
        return self.require(key(identifier), f"{kind} {identifier}")


@dataclass(frozen=True)
class Handler(Generic[M]):
    """How one (type, version) is processed; ``roles`` may submit it (``*``: any member)."""

    message: type[M]
    roles: frozenset[str]
    apply: Callable[[Context, M], None]
    check: Callable[[M], None] | None = None
    validate: Callable[[Context, M], None] | None = None
    summary: str = ""
    reads: Callable[[Mapping[str, Any]], list[str]] | None = None
    """State keys the transaction will likely read, from its raw body: a prefetch hint only."""
    decode: Callable[[Mapping[str, Any]], M] | None = None
    """A faster decoder of the body than ``decode_message`` with exactly its results and
    refusals (ADR 0030), for the long bodies where decoding shows."""

    def decoded(self, body: Mapping[str, Any]) -> M:
        """The body as the message, or ``invalid_body`` saying why not."""
        return decode_message(self.message, body) if self.decode is None else self.decode(body)

    @property
    def type(self) -> str:
        return cast("type[Message]", self.message).TYPE

    @property
    def version(self) -> int:
        return cast("type[Message]", self.message).VERSION

    def describe(self) -> dict[str, Any]:
        """The type, version, roles and body schema, as ``krai tx types`` lists them."""
        return {
            "type": self.type,
            "version": self.version,
            "roles": sorted(self.roles),
            "summary": self.summary,
            "body_schema": message_schema(self.message),
        }


def handler(
    message: type[M],
    roles: frozenset[str],
    apply: Callable[[Context, M], None],
    validate: Callable[[Context, M], None],
    check: Callable[[M], None] | None = None,
    *,
    summary: str,
) -> Handler[M]:
    """A handler with its usual parts in their usual order: the shorthand module tables use."""
    return Handler(message, roles, apply, check=check, validate=validate, summary=summary)


class Module(Protocol):
    """A state machine on the ledger: a name and its handlers."""

    name: str

    def handlers(self) -> Sequence[Handler[Any]]:
        """Every (type, version) the module processes."""
        ...


class ReferenceProvider(Protocol):
    """A module whose records others may name: each kind of reference it provides, with the
    state key of an identifier of that kind (``{"park": park_key}``)."""

    name: str

    def references(self) -> Mapping[str, Callable[[str], str]]:
        """Kind of reference → the state key of one identifier of that kind."""
        ...


class GenesisModule(Protocol):
    """A module that reads its initial state from the genesis document."""

    name: str

    def apply_genesis(self, ctx: Context, genesis: Mapping[str, Any]) -> None:
        """Write the module's initial state."""
        ...


class Authority(Protocol):
    """Who may sign: resolves keys and roles (the identity module implements it)."""

    state_prefix: str
    """Every state key that can change a key's or a role's standing starts with this."""
    role_names: frozenset[str]
    """Every role an organisation can hold; a handler may allow only these (or ``*``)."""

    def signing_key(self, view: StateView, signer: str, key_id: str) -> PublicKey:
        """The signer's active key ``key_id``, or raise (unknown signer, unknown/revoked key)."""
        ...

    def roles(self, view: StateView, signer: str) -> frozenset[str]:
        """The roles the signer holds now."""
        ...


class Outcome(NamedTuple):
    """What an accepted entry changed: state writes and events."""

    writes: Mapping[str, bytes]
    events: tuple[dict[str, Any], ...]


class Engine:
    """Routes entries to module handlers; deterministic, with no I/O.

    ``pending`` builds modules, by name, only when first needed: the module a transaction
    type names (``notary.anchor``: ``notary``) when the type is not found, every one when it
    is still not found, when a kind of reference is not, or when every type is described.
    None of them may apply the genesis. The engine answers exactly as if they had been built
    at once; a replay of a log that never names them does not import them.
    """

    def __init__(
        self,
        modules: Iterable[Any],
        authority: Authority,
        pending: Mapping[str, Callable[[], Any]] | None = None,
    ) -> None:
        self._modules: list[Any] = []
        self._authority = authority
        self._handlers: dict[tuple[str, int], Handler[Any]] = {}
        self._origins: dict[bytes, str] = {}
        self._references: dict[str, Callable[[str], str]] = {}
        self._pending = dict(pending or {})
        self._reference_view = _References(self._references, self._load_pending)
        for module in modules:
            self._load(module)

    def _load(self, module: Any) -> None:
        self._modules.append(module)
        for handler in module.handlers():
            self._register(handler)
        if hasattr(module, "references"):
            self._provide(module)

    def _load_pending(self, name: str | None = None) -> bool:
        """Build the pending module ``name`` (None: every one); whether one was built."""
        if name is None:
            builds, self._pending = list(self._pending.values()), {}
        else:
            build = self._pending.pop(name, None)
            builds = [] if build is None else [build]
        for build in builds:
            self._load(build())
        return bool(builds)

    def _load_for(self, type_name: str) -> bool:
        """Build the pending module of ``type_name``, or every one; whether one was built."""
        return self._load_pending(type_name.partition(".")[0]) or self._load_pending()

    def _provide(self, module: ReferenceProvider) -> None:
        for kind, key in module.references().items():
            if kind in self._references:
                raise ValueError(f"references to {kind!r} are provided twice")
            self._references[kind] = key

    def _register(self, handler: Handler[Any]) -> None:
        key = (handler.type, handler.version)
        if key in self._handlers:
            raise ValueError(f"{key} is registered twice")
        unknown = handler.roles - self._authority.role_names - ANY_ORGANISATION
        if unknown:
            raise ValueError(f"{key} allows roles no organisation can hold: {sorted(unknown)}")
        self._handlers[key] = handler

    def _origin(self, view: StateView) -> str | None:
        """The network's origin, memoised by the record's exact bytes; None before genesis."""
        raw = view.get_bytes(NETWORK_KEY)
        if raw is None:
            return None
        if raw not in self._origins:
            self._origins[raw] = str(decode_value(raw)["origin"])
        return self._origins[raw]

    def changes_authority(self, writes: Iterable[str]) -> bool:
        """Whether writes to these keys may change who may sign what."""
        prefix = self._authority.state_prefix
        return any(key.startswith(prefix) for key in writes)

    def likely_reads(self, tx: Transaction) -> list[str]:
        """Keys worth fetching before ``tx`` runs: its nonce, and what its handler names."""
        handler = self._handlers.get((tx.type, tx.version))
        if handler is None and self._load_for(tx.type):
            return self.likely_reads(tx)
        if handler is None or handler.reads is None:
            return [nonce_key(tx)]
        try:
            return [nonce_key(tx), *handler.reads(tx.body)]
        except (KeyError, TypeError, ValueError):  # refused later, with its proper reason
            return [nonce_key(tx)]

    def describe(self) -> list[dict[str, Any]]:
        """Every transaction type with its version, roles and body schema."""
        self._load_pending()
        return [self._handlers[key].describe() for key in sorted(self._handlers)]

    def handler(self, type_name: str, version: int) -> Handler[Any]:
        """The handler of (type, version), or raise unknown_type / unknown_version."""
        found = self._handlers.get((type_name, version))
        if found is not None:
            return found
        if self._load_for(type_name):
            return self.handler(type_name, version)
        known = sorted(v for (t, v) in self._handlers if t == type_name)
        if not known:
            raise RejectedError(Code.UNKNOWN_TYPE, f"no transaction type {type_name!r}")
        raise RejectedError(
            Code.UNKNOWN_VERSION, f"{type_name} has versions {known}, not {version}"
        )

    def execute(
        self, view: StateView, entry: Entry, *, authorised: bool = False, events: bool = True
    ) -> Outcome:
        """Apply one entry to ``view``; return its writes and events, or raise RejectedError.

        ``authorised`` tells that network, key and role were checked against a state whose
        identity records are those of ``view`` (the sequencer's admission), so they need not
        be checked again. Without ``events``, the events are not written out as JSON (the
        outcome has none): a replay that keeps none saves it.
        """
        return self.apply_to(Overlay(view), entry, authorised=authorised, events=events)

    def apply_to(
        self, overlay: Overlay, entry: Entry, *, authorised: bool = False, events: bool = True
    ) -> Outcome:
        """``execute`` with the writes left in ``overlay`` (and returned too); a refused
        entry leaves ``overlay`` as it was."""
        overlay.begin()
        try:
            ctx = self._applied(overlay, entry, authorised=authorised)
        except BaseException:
            overlay.rollback()
            raise
        written = tuple([event_json(e) for e in ctx.events]) if events else ()
        return Outcome(overlay.commit(), written)

    def replay(self, overlay: Overlay, entry: Entry) -> None:
        """Apply an entry of the log, whose signer was authorised against ``overlay``
        (``preflight``), leaving its writes in ``overlay`` with no undo kept and no events
        written out: a replay that a refusal ends, which reads the overlay's writes when it
        needs them (``apply_to`` keeps what a refusal would roll back)."""
        self._applied(overlay, entry, authorised=True)

    def _applied(self, overlay: Overlay, entry: Entry, *, authorised: bool) -> Context:
        """The context ``entry`` was applied in, to ``overlay``."""
        if entry.tx is None:
            ctx = Context(
                overlay,
                "genesis",
                "genesis",
                entry.index,
                entry.time_ms,
                references=self._reference_view,
            )
            self._apply_genesis(ctx, entry.genesis or {})
            return ctx
        tx = entry.tx
        ctx = Context(
            overlay,
            tx.signer,
            tx.tx_id,
            entry.index,
            entry.time_ms,
            references=self._reference_view,
        )
        self._apply_transaction(ctx, tx, authorised=authorised)
        return ctx

    def _apply_genesis(self, ctx: Context, genesis: Mapping[str, Any]) -> None:
        if ctx.read(NETWORK_KEY) is not None:
            raise RejectedError(Code.CONFLICT, "the ledger already has its genesis")
        for module in self._modules:
            if hasattr(module, "apply_genesis"):
                module.apply_genesis(ctx, genesis)

    def _apply_transaction(self, ctx: Context, tx: Transaction, *, authorised: bool) -> None:
        handler = self.handler(tx.type, tx.version)
        if not authorised:
            self.authorise(ctx.state, tx, handler)
        _claim_nonce(ctx, tx)
        message = handler.decoded(tx.body)
        if handler.check is not None:
            handler.check(message)
        if handler.validate is not None:
            handler.validate(ctx, message)
        handler.apply(ctx, message)

    def authorise(self, view: StateView, tx: Transaction, handler: Handler[Any]) -> PublicKey:
        """Check network, key and role of ``tx`` against ``view``; return the signing key."""
        origin = self._origin(view)
        if origin is None or origin != tx.network:
            expected = "(no genesis yet)" if origin is None else origin
            raise RejectedError(
                Code.WRONG_NETWORK, f"network {tx.network!r}, expected {expected!r}"
            )
        key = self._authority.signing_key(view, tx.signer, tx.key_id)
        if handler.roles != ANY_ORGANISATION and not handler.roles & self._authority.roles(
            view, tx.signer
        ):
            needed = ", ".join(sorted(handler.roles))
            raise RejectedError(Code.ROLE_NOT_ALLOWED, f"{tx.type} needs one of: {needed}")
        return key

    def preflight(self, view: StateView, tx: Transaction) -> PublicKey:
        """Type, network, key and role checks; return the key the signature must verify with."""
        return self.authorise(view, tx, self.handler(tx.type, tx.version))

    def admit(self, view: StateView, tx: Transaction) -> None:
        """Admission in the order of the spec: type, network, key, role, signature, body."""
        check_signature(tx, self.preflight(view, tx))
        handler = self.handler(tx.type, tx.version)
        message = handler.decoded(tx.body)
        if handler.check is not None:
            handler.check(message)


class _References(Mapping[str, Callable[[str], str]]):
    """The engine's kinds of reference, its pending modules loaded before a kind is missed."""

    def __init__(
        self, provided: dict[str, Callable[[str], str]], load_pending: Callable[[], bool]
    ) -> None:
        self._provided = provided
        self._load_pending = load_pending

    def __getitem__(self, kind: str) -> Callable[[str], str]:
        if kind not in self._provided:
            self._load_pending()
        return self._provided[kind]

    def __iter__(self) -> Iterator[str]:
        self._load_pending()
        return iter(self._provided)

    def __len__(self) -> int:
        self._load_pending()
        return len(self._provided)


def check_signature(tx: Transaction, key: PublicKey) -> None:
    """Refuse ``tx`` unless its signature verifies with ``key``."""
    if not tx.verify_signature(key):
        raise RejectedError(Code.BAD_SIGNATURE, f"signature does not verify with key {tx.key_id}")


def nonce_key(tx: Transaction) -> str:
    """State key recording that the signer used this nonce."""
    return f"ledger/nonce/{tx.signer}/{tx.nonce}"


def _claim_nonce(ctx: Context, tx: Transaction) -> None:
    key = nonce_key(tx)
    if ctx.read(key) is not None:
        raise RejectedError(Code.REPLAY, f"nonce {tx.nonce!r} of {tx.signer} was already used")
    ctx.state.put_bytes(key, b'{"index":%d}' % ctx.index)  # encode_value's bytes, made faster
