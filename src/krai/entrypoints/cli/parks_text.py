"""``krai parks``' documents as a ministry official reads them: organisations by name, labels
and units from the words catalogue (Russian unless ``--lang en``), money in roubles with ₽,
power in кВт/МВт, dates written out, the day a card is read as of with its zone (UTC, the
ledger's calendar: ``app/today``). The documents are the app's (``app/park_registry``), the
ones the API and the pages read; only their wording is here (ADR 0051).

Each function gives a table's headers and rows, or a line; ``parks`` prints them.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from krai.entrypoints.words.i18n import Words

Table = tuple[list[str], list[list[str]]]
Document = Mapping[str, Any]


def named(document: Document, identifier: str, name: str) -> str:
    """The organisation's name, or its identifier when the network does not know it."""
    return str(document.get(name) or document.get(identifier) or "")


def day(words: Words, iso_day: str | None) -> str:
    """A calendar day written out, «—» when there is none."""
    return words.date(iso_day) if iso_day else "—"


def park_list(words: Words, parks: Sequence[Document], regions: Mapping[str, str]) -> Table:
    """Every park: its id (for ``parks show``), name, region, kind, status, area, the share
    held by residents and its operator."""
    headers = ["col.id", "col.park", "col.region", "col.kind", "col.status", "col.area"]
    return [*map(words, headers), words("park.held"), words("park.operator")], [
        [
            p["park_id"],
            p[f"name_{words.language}"],
            regions.get(p["region_id"], p["region_id"]),
            words.label("kind", p["kind"]),
            words.label("park_status", p["status"]),
            words.area(p["total_area_m2"]),
            held(words, p["occupancy"]["held_of_park_basis_points"]),
            named(p, "operator", "operator_name"),
        ]
        for p in parks
    ]


def held(words: Words, basis_points: int | None) -> str:
    """The share of the park's plots held, or «нет данных: участки не зарегистрированы»."""
    return words("cli.held_unknown") if basis_points is None else words.percent(basis_points)


def park_heading(words: Words, park: Document, on: str) -> list[str]:
    """A card's first lines: the park's name and status, its operator, the day it is read as
    of (the ledger's UTC calendar day)."""
    return [
        f"{park[f'name_{words.language}']} — {words.label('park_status', park['status'])}",
        f"{words('park.operator')}: {named(park, 'operator', 'operator_name')}",
        words("cli.as_of_utc", date=words.date(on)),
    ]


def facts_table(words: Words, facts: Sequence[Document]) -> Table:
    """Each stated fact: its code (for ``parks fact``), name, value with its unit, the day it
    is stated as of (and whether it is stale), its source, who signed it and its entry."""
    headers = ["col.code", "col.fact", "col.value", "col.as_of", "cluster.source", "col.signer"]
    return [*map(words, headers), words("col.entry")], [
        [
            f["name"],
            words.label("fact_name", f["name"]),
            words.fact(f),
            words.date(f["as_of"]) + (f" ({words('park.stale')})" if f["stale"] else ""),
            f["source"],
            named(f, "by", "by_name"),
            str(f["index"]),
        ]
        for f in facts
    ]


def infrastructure_table(words: Words, objects: Sequence[Document]) -> Table:
    """Each object: its name, kind, capacity, when it entered service, owner, and whether its
    capacity counts in the park's guaranteed grid power."""
    headers = ["park.object", "col.kind", "park.capacity", "park.in_service", "park.owner"]
    return [*map(words, headers), words("park.grid")], [
        [
            o["name"],
            words.label("infra", o["kind"]),
            words.capacity(o),
            words.commissioned(o),
            named(o, "owner_inn", "owner_name") or "—",
            words("park.grid_yes") if o["feeds_grid"] else words("park.grid_no"),
        ]
        for o in objects
    ]


def power_line(words: Words, power: Document, on: str) -> str:
    """The park's guaranteed grid power on a day: capacity, allocated, free."""
    return words(
        "cli.power_on",
        date=words.date(on),
        capacity=words.power(power["capacity_kw"]),
        allocated=words.power(power["allocated_kw"]),
        free=words.power(power["free_kw"]),
    )


def fact_line(words: Words, document: Document) -> str:
    """A proven fact in one sentence: value, day, source, signer, entry and the root its
    inclusion proof verifies against."""
    current = document["fact"]
    return words(
        "cli.proven_fact",
        fact=words.label("fact_name", current["name"]),
        value=words.fact(current),
        date=words.date(current["as_of"]),
        source=current["source"],
        signer=named(current, "by", "by_name"),
        index=current["index"],
        root=document["inclusion"]["root_hash"],
    )


def sites_table(words: Words, sites: Sequence[Document], parks: Mapping[str, str]) -> Table:
    """Sites by cadastral number: park, area, status, price and permitted use."""
    headers = ["col.cadastral", "col.park", "col.area", "col.status", "col.price", "col.use"]
    return list(map(words, headers)), [
        [
            s["cadastral_number"],
            parks.get(s["park_id"], s["park_id"]),
            words.area(s["area_m2"]),
            words.label("site", s["status"]),
            words.money(s["price_kopecks"]) if "price_kopecks" in s else "—",
            s["permitted_use"],
        ]
        for s in sites
    ]


def power_table(words: Words, rows: Sequence[Document]) -> Table:
    """The guaranteed capacity, allocated and free power from each day one of them changes."""
    headers = ["col.from", "park.guaranteed_capacity", "park.allocated", "park.free"]
    return list(map(words, headers)), [
        [
            words.date(r["from"]),
            *(words.power(r[f"{name}_kw"]) for name in ("capacity", "allocated", "free")),
        ]
        for r in rows
    ]


def residents_table(words: Words, residents: Sequence[Document]) -> Table:
    """Each resident's milestones: committed and actual investment and jobs, and how each
    stands; a resident without milestones has one line with its status."""
    headers = ["col.organisation", "col.identifier", "col.status", "col.due"]
    planned = ["resident.committed_investment", "resident.actual_investment", "col.jobs"]
    return [*map(words, [*headers, *planned]), words("col.assessment")], [
        [
            named(r, "inn", "name"),
            r["inn"],
            words.label("resident", r["status"]),
            *(milestone(words, c) if c else ["—"] * 5),
        ]
        for r in residents
        for c in r["commitments"] or [None]
    ]


def milestone(words: Words, commitment: Document) -> list[str]:
    """A milestone's due day, investment committed and actual, jobs actual of committed, and
    its assessment."""
    return [
        words.date(commitment["due"]),
        words.money(commitment["committed_investment_kopecks"]),
        words.money(commitment["actual_investment_kopecks"]),
        words(
            "cli.jobs_of",
            actual=words.number(commitment["actual_jobs"]),
            committed=words.number(commitment["committed_jobs"]),
        ),
        words.label("milestone", commitment["status"]),
    ]


def agreements_table(words: Words, agreements: Sequence[Document]) -> Table:
    """Agreements: id, title, status, the parties by name, signatures of parties, and who
    signed for them."""
    headers = ["col.id", "col.title", "col.status", "col.parties", "col.signed"]
    return [*map(words, headers), words("agreement.signatory")], [
        [
            a["agreement_id"],
            a["title"],
            words.label("agreement", a["status"]),
            "; ".join(a.get("party_names", {}).get(p, p) for p in a["parties"]),
            words("cli.signed_of", signed=len(a["signatures"]), parties=len(a["parties"])),
            "; ".join(f"{s['position']} {s['name']}" for s in a.get("signatories", [])) or "—",
        ]
        for a in agreements
    ]


def targets_table(words: Words, targets: Sequence[Document], regions: Mapping[str, str]) -> Table:
    """Regional targets: title, region, due day, progress, what the schedule expects, and
    whether on track."""
    headers = ["col.target", "col.region", "col.due", "col.progress", "col.expected"]
    return [*map(words, headers), words("col.on_track")], [
        [
            t["title"],
            regions.get(t["region_id"], t["region_id"]),
            words.date(t["by_date"]),
            words.percent(t["progress_basis_points"])
            + ("" if t["baseline_known"] else f" {words('cli.of_target_no_baseline')}"),
            "—"
            if t["expected_basis_points"] is None
            else words.percent(t["expected_basis_points"]),
            on_track(words, t["on_track"]),
        ]
        for t in targets
    ]


def expected(words: Words, basis_points: int | None) -> str:
    """What the schedule expects by now, «—» when it cannot say."""
    return "—" if basis_points is None else words.percent(basis_points)


def on_track(words: Words, verdict: bool | None) -> str:
    """«по графику», «отстаёт», or «— (нет базового значения)»."""
    if verdict is None:
        return words("cli.no_baseline")
    return words("target.on_track") if verdict else words("target.behind")


def support_table(words: Words, measures: Sequence[Document]) -> Table:
    """Support measures: id, kind, recipient and authority by name, period, amount, and the
    other authorities' measures each overlaps."""
    headers = ["col.id", "support.measure", "support.recipient", "support.authority"]
    more = ["support.period", "support.amount", "col.overlaps"]
    return list(map(words, [*headers, *more])), [
        [
            m["measure_id"],
            words.label("support_kind", m["kind"]),
            named(m, "recipient_inn", "recipient_name"),
            named(m, "by", "by_name"),
            period(words, m),
            words.money(m["amount_kopecks"]) if "amount_kopecks" in m else "—",
            "; ".join(f"{o['measure_id']} ({named(o, 'by', 'by_name')})" for o in m["overlapping"])
            or "—",
        ]
        for m in measures
    ]


def period(words: Words, measure: Document) -> str:
    """«с 1 января 2026 г. до 31 декабря 2030 г.», or «с …, бессрочно»."""
    start = words.date(measure["from"])
    if measure.get("until"):
        return words("support.from_until", start=start, end=words.date(measure["until"]))
    return words("support.from", start=start)
