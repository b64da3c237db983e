"""Where an appeal is handled: the ancestor of its place that the tier names, and the staff bound there.

The SLA sweep moves hundreds of appeals at once; what a batch needs again and again (ancestors, categories,
SLA policies, handlers, the working-day calendar) is read once (``read_once``) and handed down through a
context variable, so the per-appeal code below asks the database only outside such a batch."""

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.utils.translation import gettext as _

from gongzhi.accounts.models import RoleBinding, User
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.models import Appeal, Category, SlaPolicy
from gongzhi.core.roles import CASEWORK_ROLES
from gongzhi.core.workdays import workday_overrides
from gongzhi.orgs.models import Node


@dataclasses.dataclass
class Lookups:
    """What a batch of transitions (the SLA sweep) reads again and again, loaded once for the batch."""

    nodes: dict[str, Node]  # every ancestor of the batch's appeals, by path
    categories: dict[int, Category] = dataclasses.field(default_factory=dict)
    policies: list[SlaPolicy] | None = None  # None: ask the database
    handlers: dict[int, list[User]] = dataclasses.field(default_factory=dict)
    workdays: dict[date, bool] | None = None  # None: ask the database

    @staticmethod
    def ancestors(nodes: list[Node]) -> dict[str, Node]:
        paths = {p for n in nodes for p in n.ancestor_paths()}
        # unscoped: ancestors of places already in scope (routing)
        return {n.path: n for n in Node.objects.filter(path__in=paths)}

    @classmethod
    def for_sweep(cls, appeals: list[Appeal]) -> "Lookups":
        nodes = cls.ancestors([a.node for a in appeals])
        return cls(
            nodes=nodes,
            categories={c.pk: c for c in Category.objects.all()},
            policies=list(SlaPolicy.objects.all()),
            # An escalated appeal's handlers now and next are staff of it or one of its ancestors.
            handlers=handlers_at({n.pk for n in nodes.values()} | {a.handling_node_id for a in appeals}),
            workdays=workday_overrides(),
        )

    @classmethod
    def for_intake(cls, node: Node) -> "Lookups":
        return cls(nodes=cls.ancestors([node]))


lookups: ContextVar[Lookups | None] = ContextVar("appeal_lookups", default=None)


@contextmanager
def read_once(make: Callable[[], Lookups]) -> Iterator[None]:
    """Within the block, lookups come from what ``make`` loads (unless an outer block already loaded them)."""
    if lookups.get() is not None:
        yield
        return
    token = lookups.set(make())
    try:
        yield
    finally:
        lookups.reset(token)


def ancestor_of_kind(node: Node, kind: str) -> Node | None:
    if node.kind == kind:
        return node
    cache = lookups.get()
    ancestors = node.ancestor_paths()
    if cache is not None and all(p in cache.nodes for p in ancestors):
        return next((cache.nodes[p] for p in ancestors if cache.nodes[p].kind == kind), None)
    return node.ancestor_of_kind(kind)


def handling_node_for(node: Node, tier: str) -> Node:
    target = ancestor_of_kind(node, tier)
    if target is None:
        raise AppealError("no_tier", _("This place has no %(tier)s above it.") % {"tier": tier})
    return target


def handlers_at(node_ids: Iterable[int]) -> dict[int, list[User]]:
    """Active staff bound exactly at each of these nodes, by node (one query)."""
    found: dict[int, dict[int, User]] = {pk: {} for pk in node_ids}
    # unscoped: who handles a node the appeal is routed to
    for binding in RoleBinding.objects.filter(
        node_id__in=found, role__in=CASEWORK_ROLES, user__is_active=True
    ).select_related("user"):
        found[binding.node_id][binding.user_id] = binding.user
    return {pk: list(users.values()) for pk, users in found.items()}


def handlers_of(appeal: Appeal) -> list[User]:
    """Staff bound exactly at the node that handles the appeal now (its commissioner, community or subdistrict)."""
    return handlers_cached(appeal.handling_node_id)


def handlers_cached(node_id: int) -> list[User]:
    cache = lookups.get()
    if cache is not None and node_id in cache.handlers:
        return cache.handlers[node_id]
    users = handlers_at([node_id])[node_id]
    if cache is not None:
        cache.handlers[node_id] = users
    return users
