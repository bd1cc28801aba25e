"""Sites: plots by cadastral number, within the park's area, to one resident at a time."""

from krai.modules.parks import events
from krai.modules.parks.messages import ChangeSiteStatus, RegisterSite
from krai.modules.parks.model import HELD_SITE_STATUSES, SITE_TRANSITIONS, park_key, site_key
from krai.modules.parks.records import Site, SiteChange
from krai.modules.parks.rules.records import (
    absent,
    allocating_resident,
    operated_park,
    park,
    required,
)
from krai.state.engine import Context
from krai.state.records import write_record
from krai.tx.errors import invalid_body, rule_violation


def validate_site(ctx: Context, message: RegisterSite) -> None:
    """The operator registers a new plot that fits in what is left of the park's area."""
    found = operated_park(ctx, message.park_id)
    key = site_key(message.cadastral_number)
    absent(ctx, key, Site, f"site {message.cadastral_number}")
    after = found.sites_area_m2 + message.area_m2
    if after > found.total_area_m2:
        raise rule_violation(
            f"site {message.cadastral_number} of {message.area_m2:,} m² would bring park "
            f"{message.park_id}'s sites to {after:,} m², past its total area of "
            f"{found.total_area_m2:,} m² ({found.sites_area_m2:,} m² already in sites)"
        )


def apply_site(ctx: Context, message: RegisterSite) -> None:
    """Record the plot, free, and count its area against the park."""
    record = Site(
        park_id=message.park_id,
        area_m2=message.area_m2,
        land_category=message.land_category,
        permitted_use=message.permitted_use,
        status="free",
        source=message.source,
        history=(SiteChange(status="free", basis=message.source, **ctx.provenance()),),
        price_kopecks=message.price_kopecks,
        rent_kopecks_per_year=message.rent_kopecks_per_year,
        **ctx.provenance(),
    )
    write_record(ctx.state, site_key(message.cadastral_number), record)
    grown = park(ctx, message.park_id).with_site_area(message.area_m2)
    write_record(ctx.state, park_key(message.park_id), grown)
    ctx.emit(events.SiteRegistered(message.park_id, message.cadastral_number, message.area_m2))


def check_site_status(message: ChangeSiteStatus) -> None:
    """A reservation, lease or sale names its resident; nothing else does."""
    names_resident = message.status in HELD_SITE_STATUSES
    if names_resident != (message.resident_inn is not None):
        raise invalid_body(f"body.resident_inn is required exactly when a site is {message.status}")


def validate_site_status(ctx: Context, message: ChangeSiteStatus) -> None:
    """An allowed transition by the operator; the plot never passes to a second resident."""
    site = _site(ctx, message.cadastral_number)
    operated_park(ctx, site.park_id)
    current = site.status
    if (current, message.status) not in SITE_TRANSITIONS:
        held = f" for {site.resident_inn}" if site.resident_inn else ""
        raise rule_violation(
            f"site {message.cadastral_number} is {current}{held}; it cannot become {message.status}"
        )
    holder = site.resident_inn
    if holder is not None and message.resident_inn not in (None, holder):
        raise rule_violation(
            f"site {message.cadastral_number} is {current} for {holder}; free it before it goes "
            f"to {message.resident_inn}"
        )
    if message.resident_inn is not None:
        allocating_resident(ctx, site.park_id, message.resident_inn)


def apply_site_status(ctx: Context, message: ChangeSiteStatus) -> None:
    """Move the plot; it holds the resident while reserved, leased or sold."""
    site = _site(ctx, message.cadastral_number)
    change = SiteChange(
        status=message.status,
        basis=message.basis,
        resident_inn=message.resident_inn,
        **ctx.provenance(),
    )
    write_record(ctx.state, site_key(message.cadastral_number), site.changed(change))
    ctx.emit(
        events.SiteStatusChanged(
            message.cadastral_number, site.status, message.status, message.resident_inn
        )
    )


def _site(ctx: Context, cadastral_number: str) -> Site:
    return required(ctx, site_key(cadastral_number), Site, f"site {cadastral_number}")
