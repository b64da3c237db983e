"""Who may do what with a wish."""

from typing import Any

import rules

from gongzhi.core.rules import is_viewer_only, staff_of

# Staff over the wish's compound review wishes and may act for a wisher (walk-in, phone).
is_moderator = staff_of(lambda wish: wish.node, "is_wish_moderator")


@rules.predicate
def is_wisher(user: Any, wish: Any) -> bool:
    return user is not None and user.pk is not None and user.pk == wish.wisher_id


@rules.predicate
def is_claimant(user: Any, wish: Any) -> bool:
    return user is not None and user.pk is not None and user.pk == wish.claimant_id


# A volunteer: anyone but the wisher (a wish cannot be claimed by the one who made it) and but an account
# that only looks at figures.
is_volunteer = rules.predicate(
    lambda user, wish: user is not None and not is_wisher(user, wish) and not is_viewer_only(user),
    name="is_volunteer",
)

wisher_or_staff = is_wisher | is_moderator
claimant_or_staff = is_claimant | is_moderator


@rules.predicate
def sees_wisher_name(user: Any, wish: Any) -> bool:
    """Staff, the wisher, and the helper whose claim was accepted see the name; everyone else a mask."""
    if is_wisher(user, wish) or is_moderator(user, wish):
        return True
    return is_claimant(user, wish) and wish.status not in ("published", "claimed")
