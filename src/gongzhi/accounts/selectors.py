"""Reads of people and users for the UI and API, always scoped to the user asking."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from gongzhi.accounts.models import ApiToken, Person, RoleBinding, User
from gongzhi.core import pii
from gongzhi.core.scoping import subtree_q
from gongzhi.orgs.models import Node


def person_list(
    *, fetched_by: User, node: Node | None = None, query: str = "", action: str = "view"
) -> QuerySet[Person]:
    """Residents the user may see, optionally under ``node`` and matching ``query``.

    A query that is a full mobile or ID number is matched exactly through the blind index
    (the numbers themselves are encrypted); anything else matches the name.
    """
    qs = Person.objects.visible_to(fetched_by, action).select_related("node")
    if node is not None:
        qs = qs.filter(subtree_q("node", [node.path]))
    query = (query or "").strip()
    if query:
        try:
            qs = qs.filter(phone_index=pii.blind_index(pii.normalize_phone(query), context="phone"))
        except ValidationError:
            try:
                qs = qs.filter(id_index=pii.blind_index(pii.normalize_id_number(query), context="id_number"))
            except ValidationError:
                qs = qs.filter(name__contains=query)
    return qs


def person_get(*, fetched_by: User, pk: int) -> Person:
    return get_object_or_404(person_list(fetched_by=fetched_by), pk=pk)


def user_role_bindings(*, user: User) -> QuerySet[RoleBinding]:
    """The user's own bindings (shown on /me and in the navigation)."""
    # unscoped: the user's own role bindings
    return RoleBinding.objects.filter(user=user).select_related("node").order_by("node__path", "role")


def api_token_list(*, fetched_by: User) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first (revoked ones stay listed until they are purged)."""
    return ApiToken.objects.filter(user=fetched_by).order_by("-created_at", "-id")
