"""Navigation by role: each user sees the sections their bindings open."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.roles import CASEWORK_ROLES, MANAGER_ROLES, OVERSIGHT_ROLES
from gongzhi.core.scoping import has_role


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    from gongzhi.notifications.selectors import unread_count

    items = [("home", _("Home"), reverse("core:home"))]
    if has_role(user, CASEWORK_ROLES):
        items.append(("appeals", _("Appeals"), reverse("appeals:index")))
    else:
        items.append(("appeals", _("My appeals"), reverse("appeals:index")))
    if has_role(user, OVERSIGHT_ROLES):
        items.append(("kpis", _("Appeal figures"), reverse("appeals:kpis")))
        items.append(("hot", _("Hot issues"), reverse("triage:hot")))
    items.append(("volunteering", _("Volunteering"), reverse("volunteering:index")))
    items.append(("wishes", _("Wish wall"), reverse("wishes:index")))
    items.append(("mall", _("Points mall"), reverse("mall:index")))
    items.append(("nodes", _("Areas"), reverse("orgs:node_roots")))
    items.append(("party", _("Party organisations"), reverse("orgs:party_org_list")))
    if has_role(user, CASEWORK_ROLES):
        items.append(("people", _("Residents"), reverse("accounts:person_list")))
    if has_role(user, MANAGER_ROLES | CASEWORK_ROLES):
        items.append(("imports", _("Excel import"), reverse("orgs:imports")))
    if user.is_superuser:
        items.append(("admin", _("Administration"), reverse("admin:index")))
    # The current section is the one whose link is the longest prefix of the path.
    matches = [(len(url), key) for key, _label, url in items if request.path.startswith(url) and url != "/"]
    current = max(matches)[1] if matches else ("home" if request.path == "/" else "")
    return {"nav_items": items, "nav_current": current, "unread_messages": unread_count(fetched_by=user)}
