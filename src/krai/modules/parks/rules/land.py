"""Sites: plots by cadastral number, within the park's area, to one resident at a time."""

from typing import Any

from krai.modules.parks import events
from krai.modules.parks.messages import ChangeSiteStatus, RegisterSite
from krai.modules.parks.model import (
    HELD_SITE_STATUSES,
    SITE_TRANSITIONS,
    park_key,
    site_key,
)
from krai.modules.parks.rules.records import (
    absent,
    allocating_resident,
    append_history,
    operated_park,
)
from krai.state.engine import Context
from krai.tx.errors import invalid_body, rule_violation


def validate_site(ctx: Context, message: RegisterSite) -> None:
    """The operator registers a new plot that fits in what is left of the park's area."""
    park = operated_park(ctx, message.park_id)
    absent(ctx, site_key(message.cadastral_number), f"site {message.cadastral_number}")
    after = park["sites_area_m2"] + message.area_m2
    if after > park["total_area_m2"]:
        raise rule_violation(
            f"site {message.cadastral_number} of {message.area_m2:,} m² would bring park "
            f"{message.park_id}'s sites to {after:,} m², past its total area of "
            f"{park['total_area_m2']:,} m² ({park['sites_area_m2']:,} m² already in sites)"
        )


def apply_site(ctx: Context, message: RegisterSite) -> None:
    """Record the plot, free, and count its area against the park."""
    record: dict[str, Any] = {
        "park_id": message.park_id,
        "area_m2": message.area_m2,
        "land_category": message.land_category,
        "permitted_use": message.permitted_use,
        "status": "free",
        "source": message.source,
        **ctx.provenance(),
    }
    for name in ("price_kopecks", "rent_kopecks_per_year"):
        if getattr(message, name) is not None:
            record[name] = getattr(message, name)
    append_history(record, ctx, status="free", basis=message.source)
    ctx.state.put(site_key(message.cadastral_number), record)
    park = ctx.require(park_key(message.park_id), "park")
    park["sites_area_m2"] += message.area_m2
    ctx.state.put(park_key(message.park_id), park)
    ctx.emit(events.SiteRegistered(message.park_id, message.cadastral_number, message.area_m2))


def check_site_status(message: ChangeSiteStatus) -> None:
    """A reservation, lease or sale names its resident; nothing else does."""
    names_resident = message.status in HELD_SITE_STATUSES
    if names_resident != (message.resident_inn is not None):
        raise invalid_body(f"body.resident_inn is required exactly when a site is {message.status}")


def validate_site_status(ctx: Context, message: ChangeSiteStatus) -> None:
    """An allowed transition by the operator; the plot never passes to a second resident."""
    site = _site(ctx, message.cadastral_number)
    operated_park(ctx, site["park_id"])
    current = site["status"]
    if (current, message.status) not in SITE_TRANSITIONS:
        held = f" for {site['resident_inn']}" if site.get("resident_inn") else ""
        raise rule_violation(
            f"site {message.cadastral_number} is {current}{held}; it cannot become {message.status}"
        )
    holder = site.get("resident_inn")
    if holder is not None and message.resident_inn not in (None, holder):
        raise rule_violation(
            f"site {message.cadastral_number} is {current} for {holder}; free it before it goes "
            f"to {message.resident_inn}"
        )
    if message.resident_inn is not None:
        allocating_resident(ctx, site["park_id"], message.resident_inn)


def apply_site_status(ctx: Context, message: ChangeSiteStatus) -> None:
    """Move the plot; it holds the resident while reserved, leased or sold."""
    site = _site(ctx, message.cadastral_number)
    previous = site["status"]
    site["status"] = message.status
    site.pop("resident_inn", None)
    change: dict[str, Any] = {"status": message.status, "basis": message.basis}
    if message.resident_inn is not None:
        site["resident_inn"] = change["resident_inn"] = message.resident_inn
    append_history(site, ctx, **change)
    ctx.state.put(site_key(message.cadastral_number), site)
    ctx.emit(
        events.SiteStatusChanged(
            message.cadastral_number, previous, message.status, message.resident_inn
        )
    )


def _site(ctx: Context, cadastral_number: str) -> dict[str, Any]:
    return ctx.require(site_key(cadastral_number), f"site {cadastral_number}")
