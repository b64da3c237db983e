"""Row-level scoping: a role bound at a node reaches that node's whole subtree and nothing else.

Every scoped model declares a ``scope`` policy (which path field locates a row in the tree and
which roles grant which action) and uses a ScopedQuerySet. Selectors start from
``Model.objects.visible_to(user, action)``; an object outside it answers 404.


The tree and the role bindings are other apps' models; this module names them only through the settings
``GONGZHI_NODE_MODEL`` and ``GONGZHI_ROLE_BINDING_MODEL`` (as Django names the user model through
``AUTH_USER_MODEL``), so that ``core`` imports no app.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections, models
from django.db.models import ExpressionWrapper, F, Q
from django.db.models.lookups import In

# Characters per level of a materialised path (the tree model's ``steplen``).
PATH_STEP = 4

User = Any  # the user model (accounts.User); typed loosely here so that core imports no app
OwnerRule = Callable[[Any, str], Q | None]


@dataclass(frozen=True)
class ScopePolicy:
    """Where a row sits in the tree, and which roles grant which action on it.

    ``node_field`` names the row's node (e.g. "node", "party_org__node"); the Node model itself uses
    ``node_field=None`` and is matched on its own path.
    """

    node_field: str | None
    actions: dict[str, frozenset[str]]
    # Grants beyond the subtree rule, e.g. a resident's own record: (user, action) -> Q or None.
    owner_rule: OwnerRule | None = field(default=None)

    def roles_for(self, action: str) -> frozenset[str]:
        try:
            return self.actions[action]
        except KeyError:
            raise ValueError(f"unknown action {action!r}; known: {sorted(self.actions)}") from None


@dataclass(frozen=True)
class Binding:
    role: str
    node_id: int
    path: str


def node_model() -> Any:
    return apps.get_model(settings.GONGZHI_NODE_MODEL)


def role_binding_model() -> type[models.Model]:
    return apps.get_model(settings.GONGZHI_ROLE_BINDING_MODEL)


def user_bindings(user: User) -> list[Binding]:
    """The user's role bindings, loaded once per user object (i.e. once per request)."""
    cached: list[Binding] | None = getattr(user, "_gongzhi_bindings", None)
    if cached is None:
        if not getattr(user, "pk", None):
            cached = []
        else:
            cached = [
                Binding(role, node_id, path)
                for role, node_id, path in role_binding_model()
                ._default_manager.filter(user_id=user.pk)
                .values_list("role", "node_id", "node__path")
            ]
        setattr(user, "_gongzhi_bindings", cached)  # noqa: B010 - a per-request cache on the user object
    return cached


def staff_over(user: User | None, node: Any) -> bool:
    """Whether the user is a caseworker (commissioner, community staff or secretary, subdistrict
    administrator) over ``node``: the staff who run what happens there."""
    from gongzhi.core.roles import CASEWORK_ROLES

    return user is not None and has_role(user, CASEWORK_ROLES, at_path=node.path)


def reach_paths(user: User, roles: Iterable[str]) -> list[str]:
    """Node paths the user reaches through any of ``roles``, with nested paths collapsed."""
    wanted = set(roles)
    return collapse_paths(b.path for b in user_bindings(user) if b.role in wanted)


def collapse_paths(paths: Iterable[str]) -> list[str]:
    """The paths, sorted, without those nested under another (their subtrees are already in)."""
    collapsed: list[str] = []
    for path in sorted(set(paths)):
        if not collapsed or not path.startswith(collapsed[-1]):
            collapsed.append(path)
    return collapsed


def has_role(user: User, roles: Iterable[str], *, at_path: str | None = None) -> bool:
    """Whether the user holds one of ``roles`` anywhere, or (with ``at_path``) over that node."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    paths = reach_paths(user, roles)
    if at_path is None:
        return bool(paths)
    return any(at_path.startswith(p) for p in paths)


# Above every character of a materialised path (the tree's alphabet is digits and capital letters), so that
# "under this path" is the range [path, path + PATH_END): an index range on both databases, where SQLite
# cannot use an index for Django's case-insensitive LIKE 'path%'.
PATH_END = "~"


def subtree_q(node_field: str | None, paths: list[str]) -> Q:
    """Rows whose node lies under any of ``paths``: a join to the node and a range on its path.

    The range uses the path's index; with the row's node index PostgreSQL reads only the rows in reach
    and, ordered by (node path, id), stops after the page it needs (bench/run.py); SQLite reads the nodes
    in reach from the same index.
    """
    if not paths:
        return Q(pk__in=[])
    prefix = "" if node_field is None else f"{node_field}__"
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{prefix}path__gte": path, f"{prefix}path__lt": path + PATH_END})
    return condition


def subtree_in(node_field: str, paths: list[str]) -> Q:
    """The same rows as ``subtree_q`` through a subquery on the nodes (``node_id IN (…)``) instead of a
    join: the form to OR with other conditions, since each branch of an OR can then use its own index."""
    if not paths:
        return Q(pk__in=[])
    nodes = node_model()._default_manager.filter(subtree_q(None, paths)).values("pk")
    return Q(**{f"{node_field}__in": nodes})


def subtree_unindexed(node_field: str, paths: list[str]) -> Q:
    """The same rows as ``subtree_in``, tested row by row (``node_id + 0 IN (…)``) so that no index on the
    row's node drives the query: the index of the query's order does, and a page stops after its rows. For
    a reach holding most of the table (a subdistrict's whole list), where gathering the reach and sorting it
    would cost more than walking the order's index."""
    if not paths:
        return Q(pk__in=[])
    nodes = node_model()._default_manager.filter(subtree_q(None, paths)).values("pk")
    column = ExpressionWrapper(F(f"{node_field}_id") + 0, output_field=models.BigIntegerField())
    return Q(In(column, nodes))


def rows_matching_any(model: type[models.Model], branches: list[Q]) -> Any:
    """The ids of ``model``'s rows matching any of ``branches``, as one subquery (``UNION ALL`` of one
    indexed lookup per branch) for ``pk__in``: both databases then find each branch through its own index,
    where an OR of the branches may read the table in another index's order."""
    # unscoped: a building block of owner rules, narrowed by each branch
    queries = [model._default_manager.filter(branch).order_by().values("pk") for branch in branches]  # type: ignore[attr-defined]
    return queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]


class ScopedQuerySetMixin:
    model: type[models.Model]

    def visible_to(self, user: User, action: str = "view", *, in_order: bool = False) -> Any:
        """The rows ``user`` may ``action``. ``in_order``: the user's reach is tested row by row while the
        query walks the index of its order (``subtree_unindexed``), for reaches that hold most rows."""
        policy: ScopePolicy = self.model.scope  # type: ignore[attr-defined]
        roles = policy.roles_for(action)
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()  # type: ignore[attr-defined]
        if user.is_superuser:
            return self.all()  # type: ignore[attr-defined]
        condition = Q()
        granted = False
        paths = reach_paths(user, roles)
        if paths:
            # PostgreSQL's planner weighs a join on the path by its statistics; SQLite's needs the hint.
            sqlite = connections[self.db].vendor == "sqlite"  # type: ignore[attr-defined]
            if in_order and sqlite and policy.node_field is not None and "__" not in policy.node_field:
                condition = subtree_unindexed(policy.node_field, paths)
            else:
                condition = subtree_q(policy.node_field, paths)
            granted = True
        if policy.owner_rule is not None:
            own = policy.owner_rule(user, action)
            # OR-ing the owner's rows onto a subtree condition stops PostgreSQL from using a semi-join;
            # add it only when the user's own rows are not already inside their reach. Owner rules write each
            # branch so that an index finds it (a column of the row, or ``field__in`` a subquery, never a
            # join), so this check reads the user's own rows and nothing else (core/plans.py tests it).
            if own is not None and (not granted or self._owns_outside(own, condition)):
                condition = (condition | own) if granted else own
                granted = True
        if not granted:
            return self.none()  # type: ignore[attr-defined]
        return self.filter(condition)  # type: ignore[attr-defined]

    def _owns_outside(self, own: Q, reach: Q) -> bool:
        """Whether the user's own rows include any outside ``reach``: found through the owner rule's
        indexes first (``id IN (own rows)``), since columns that are mostly empty (a register's user, an
        appeal's filer) look unselective to SQLite's statistics and it would walk the reach's complement."""
        manager = self.model._default_manager  # type: ignore[attr-defined]
        mine = manager.filter(own).order_by().values("pk")
        return bool(manager.filter(pk__in=mine).exclude(reach).exists())


class ScopedQuerySet(ScopedQuerySetMixin, models.QuerySet):
    pass


def scoped_models() -> list[type[models.Model]]:
    """Every installed model with a scope policy (used by the test that forbids unscoped queries)."""
    from django.apps import apps

    return [m for m in apps.get_models() if isinstance(getattr(m, "scope", None), ScopePolicy)]


def _binding_prefixes(user: User, roles: Iterable[str] | None = None) -> list[str]:
    """Paths of every node from a root down to each of the user's bindings (of one of ``roles``)."""
    step = PATH_STEP
    wanted = None if roles is None else set(roles)
    bindings = [b for b in user_bindings(user) if wanted is None or b.role in wanted]
    return sorted({b.path[:i] for b in bindings for i in range(step, len(b.path) + 1, step)})


def ancestry_q(user: User, node_field: str) -> Q | None:
    """Rows at any node on the way from a root down to one of the user's bindings (the places a resident
    belongs to: their compound, its community, its subdistrict …), e.g. a mall item or an activity offered
    to the whole community. None when the user has no binding."""
    prefixes = _binding_prefixes(user)
    return Q(**{f"{node_field}__path__in": prefixes}) if prefixes else None


def belonging_paths(user: User, kind: str, roles: Iterable[str] | None = None) -> list[str]:
    """Paths of the nodes of ``kind`` (e.g. communities) that contain one of the user's bindings (of one
    of ``roles``, when given)."""
    prefixes = _binding_prefixes(user, roles)
    if not prefixes:
        return []
    nodes = node_model()._default_manager.filter(path__in=prefixes, kind=kind)
    return list(nodes.values_list("path", flat=True))


def bound_near(user: User, path: str, roles: Iterable[str] | None = None) -> bool:
    """Whether the user holds a role (one of ``roles``, or any) at the node of ``path``, above it or inside
    it: a resident of a compound in a subdistrict, a community's staff for their subdistrict's points."""
    if user.is_superuser:
        return True
    wanted = None if roles is None else set(roles)
    return any(
        (wanted is None or b.role in wanted) and (b.path.startswith(path) or path.startswith(b.path))
        for b in user_bindings(user)
    )


# --- named owner rules: grants beyond the subtree rule, shared by every app -----------------------------


def own(*fields: str, actions: Iterable[str] = ("view",)) -> OwnerRule:
    """The user's own rows: those whose ``fields`` (user foreign keys of the row, e.g. "buyer") point at
    the user, for ``actions``. A user reached through another row (an appeal's resident's user) is a
    ``field__in`` subquery in the model's own rule, so that an index serves it."""
    wanted = frozenset(actions)

    def rule(user: User, action: str) -> Q | None:
        if action not in wanted:
            return None
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}_id": user.pk})
        return condition

    rule.__name__ = f"own({', '.join(fields)})"
    return rule


def public_around(node_field: str = "node", *, actions: Iterable[str] = ("view",)) -> OwnerRule:
    """Rows offered at a place the user belongs to (their compound, its community, its subdistrict …):
    teams, activities, mall items, the party members' board."""
    wanted = frozenset(actions)

    def rule(user: User, action: str) -> Q | None:
        return ancestry_q(user, node_field) if action in wanted else None

    rule.__name__ = f"public_around({node_field})"
    return rule


def any_of(*rules: OwnerRule) -> OwnerRule:
    """Rows any of ``rules`` grants."""

    def rule(user: User, action: str) -> Q | None:
        granted = [q for q in (r(user, action) for r in rules) if q is not None]
        if not granted:
            return None
        condition = granted[0]
        for q in granted[1:]:
            condition |= q
        return condition

    rule.__name__ = "any_of(" + ", ".join(r.__name__ for r in rules) + ")"
    return rule
