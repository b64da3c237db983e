"""Who may do what with venues, their areas, bookings, services, rotations and plans."""

from typing import Any

import rules

from gongzhi.core.roles import CASEWORK_ROLES, Role
from gongzhi.core.rules import is_viewer_only, staff_of
from gongzhi.core.scoping import bound_near, staff_over
from gongzhi.venues.models import BookableBy

ORGANISER_ROLES = CASEWORK_ROLES | {Role.ALLIANCE_UNIT}


def _user(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)


def _venue(obj: Any) -> Any:
    """The venue of a venue, area, booking, service, rotation or rotation week."""
    for hop in ("rotation", "week", "service", "space"):
        if hasattr(obj, f"{hop}_id") and getattr(obj, f"{hop}_id", None) is not None:
            obj = getattr(obj, hop)
    return obj if hasattr(obj, "level") else obj.venue


def _subdistrict_path(venue: Any) -> str:
    """The path of the subdistrict the venue's place lies in (no query: paths are 4 characters a level)."""
    return str(venue.node.path[:8])


# Casework staff over the place a venue serves run it: its areas, approvals, services, visits, rotation.
runs_venue = staff_of(lambda obj: _venue(obj).node, "runs_venue")


@rules.predicate
def may_book(user: Any, space: Any) -> bool:
    """The area's "who may book": its venue's staff always; communities, co-operatives and alliance units
    of the venue's subdistrict where it is open to them; residents of the subdistrict where it is open to all."""
    if not _user(user):
        return False
    venue = space.venue
    if staff_over(user, venue.node):
        return True
    if space.bookable_by == BookableBy.STAFF or is_viewer_only.test(user):
        return False
    roles = ORGANISER_ROLES if space.bookable_by == BookableBy.ORGANISATIONS else None
    return bound_near(user, _subdistrict_path(venue), roles)


@rules.predicate
def is_booker(user: Any, booking: Any) -> bool:
    return _user(user) and user.pk == booking.booked_by_id


approves = staff_of(lambda booking: booking.space.venue.node, "approves_booking")
booker_or_staff = is_booker | approves


@rules.predicate
def owns_week(user: Any, week: Any) -> bool:
    """Staff of the community or co-operative whose week it is (its secretary, its staff)."""
    return _user(user) and staff_over(user, week.owner)


week_owner_or_centre = owns_week | runs_venue
