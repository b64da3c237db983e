"""The appeals card on the home page: for someone who lives here, the way to report a problem and what waits
for them (appeals to add to or to rate), with the shortcuts the apps offer residents."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.appeals.selectors import appeals_waiting_for
from gongzhi.core.registry import Nav, nav_entries
from gongzhi.core.rules import is_neighbour


def start_card(request: Any) -> dict[str, Any] | None:
    user = request.user
    if not is_neighbour.test(user):
        return None
    # "My appeals" first, whether or not the user also handles appeals as staff; then what other apps offer.
    mine = Nav("appeals", _("My appeals"), "appeals:index", order=10)
    others = [entry for entry in nav_entries(user) if entry.shortcut and entry.key != "appeals"]
    return {"waiting": appeals_waiting_for(fetched_by=user), "shortcuts": [mine, *others]}
