"""The place picker of forms: narrow by level (community → compound → building) or search by name, within
what the user may pick for the form's purpose; never a flat list of every node.

An app declares the purposes of its forms in its AppConfig (``place_pickers``: purpose → a function of the
user giving a ``PlaceChoice``). The picker's page (``orgs:places``) and the view receiving the form both ask
the same choice, so what the picker offers is what the form accepts."""

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as listed

from django.http import Http404

from gongzhi.accounts.models import User
from gongzhi.core.registry import place_picker
from gongzhi.core.roles import CASEWORK_ROLES
from gongzhi.core.scoping import collapse_paths, reach_paths, subtree_q
from gongzhi.orgs.models import Node, NodeKind

# Levels from the top down; a picker walks through the levels above the kinds it offers.
LEVELS = [
    NodeKind.DISTRICT,
    NodeKind.SUBDISTRICT,
    NodeKind.COMMUNITY,
    NodeKind.GRID,
    NodeKind.COMPOUND,
    NodeKind.BUILDING,
]
SHOWN = 60  # options under one place; more are reached by searching
FOUND = 20  # search results


@dataclass(frozen=True)
class PlaceChoice:
    kinds: tuple[str, ...]  # the kinds one may pick
    roots: tuple[str, ...]  # paths of the subtrees the user may pick in (nested ones collapsed)

    def allows(self, node: Node) -> bool:
        return node.kind in self.kinds and any(node.path.startswith(root) for root in self.roots)

    @property
    def walkable(self) -> list[str]:
        deepest = max(LEVELS.index(NodeKind(k)) for k in self.kinds)
        return [str(k) for k in LEVELS[: deepest + 1]]


def casework_choice(user: User, kinds: Sequence[str], also_under: Sequence[str] = ()) -> PlaceChoice:
    """Places of ``kinds`` under the user's casework reach (and under ``also_under``)."""
    if user.is_superuser:
        # unscoped: a superuser picks anywhere
        roots = list(Node.objects.filter(depth=1).values_list("path", flat=True))
    else:
        roots = reach_paths(user, CASEWORK_ROLES)
    return PlaceChoice(kinds=tuple(kinds), roots=tuple(collapse_paths([*roots, *also_under])))


def choice_for(user: User, purpose: str) -> PlaceChoice:
    provider = place_picker(purpose)
    if provider is None:
        raise Http404
    choice: PlaceChoice = provider(user)
    return choice


def chosen(*, user: User, purpose: str, pk: int | None) -> Node:
    """The place a form was sent with, if the picker for ``purpose`` offers it to ``user`` (404 if not: it
    does not exist for them)."""
    choice = choice_for(user, purpose)
    # unscoped: checked against the purpose's choice just below
    node = Node.objects.filter(pk=pk).first() if pk else None
    if node is None or not choice.allows(node):
        raise Http404
    return node


@dataclass
class PickerState:
    purpose: str
    field: str  # the form field the chosen place is sent as
    key: str  # tells two pickers on one page apart
    selected: Node | None
    at: Node | None  # whose children are listed (None: the tops of the user's reach)
    crumbs: list[Node] = listed(default_factory=list)
    options: list[tuple[Node, bool, bool]] = listed(default_factory=list)  # (node, may pick, may open)
    more: bool = False  # more options than shown: search
    query: str = ""
    found: list[tuple[Node, str]] = listed(default_factory=list)  # (node, where it lies)


def _reachable(choice: PlaceChoice, node: Node) -> bool:
    """Inside the user's subtrees (to be listed or opened)."""
    return any(node.path.startswith(root) for root in choice.roots)


def _tops(choice: PlaceChoice) -> list[Node]:
    # unscoped: the tops of the user's reach for this purpose
    return list(Node.objects.filter(path__in=choice.roots).order_by("path"))


def picker_state(
    *,
    user: User,
    purpose: str,
    field: str = "node",
    key: str = "",
    selected: int | str | None = None,
    at: int | str | None = None,
    query: str = "",
) -> PickerState:
    choice = choice_for(user, purpose)
    state = PickerState(purpose=purpose, field=field, key=key or field, selected=None, at=None)
    nodes = {
        n.pk: n
        # unscoped: ids sent back by the picker, each checked against the purpose's choice below
        for n in Node.objects.filter(pk__in=[int(str(v)) for v in (selected, at) if str(v or "").isdigit()])
    }
    pick = nodes.get(int(str(selected))) if str(selected or "").isdigit() else None
    if pick is not None and choice.allows(pick):
        state.selected = pick
    opened = nodes.get(int(str(at))) if str(at or "").isdigit() else None
    tops = _tops(choice)
    if opened is None or not _reachable(choice, opened):
        if state.selected is not None and state.selected.path not in choice.roots:
            opened = state.selected.get_parent()
        elif len(tops) == 1:
            opened = tops[0]
        else:
            opened = None
    state.at = opened
    walkable = choice.walkable
    if opened is None:
        rows = tops
    else:
        # The way down from the top of the user's reach to the opened place.
        top = next(t for t in tops if opened.path.startswith(t.path))
        state.crumbs = list(
            # unscoped: the ancestors of a place inside the user's reach, down from its top
            Node.objects.filter(
                path__in=[opened.path[:n] for n in range(len(top.path), len(opened.path) + 1, Node.steplen)]
            ).order_by("depth")
        )
        rows = list(
            # unscoped: the places one level down, inside the user's reach (checked by the path of ``opened``)
            Node.objects.filter(
                path__startswith=opened.path, depth=opened.depth + 1, kind__in=walkable
            ).order_by("path")[: SHOWN + 1]
        )
        state.more = len(rows) > SHOWN
        rows = rows[:SHOWN]
    deepest = walkable[-1]
    state.options = [(n, choice.allows(n), n.kind != deepest and n.numchild > 0) for n in rows]
    if opened is not None and choice.allows(opened):
        state.options.insert(0, (opened, True, False))  # the opened place itself may be the one
    pickable = [n for n, may_pick, _open in state.options if may_pick]
    if state.selected is None and len(pickable) == 1 and not any(o for _n, _p, o in state.options):
        state.selected = pickable[0]  # the only place there is to pick
    query = (query or "").strip()[:40]
    state.query = query
    if query:
        hits = list(
            # unscoped: narrowed to the purpose's subtrees by subtree_q
            Node.objects.filter(
                subtree_q(None, list(choice.roots)), kind__in=choice.kinds, name__contains=query
            ).order_by("depth", "path")[:FOUND]
        )
        parents = {
            p.path: p.name
            # unscoped: the parents of places just found, for their labels
            for p in Node.objects.filter(path__in={h.path[: -Node.steplen] for h in hits if h.depth > 1})
        }
        state.found = [(h, parents.get(h.path[: -Node.steplen], "")) for h in hits]
    return state
