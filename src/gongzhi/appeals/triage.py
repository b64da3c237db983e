"""Smart triage applied to appeals: the category suggested at intake, likely duplicates, training on the
categories staff confirmed, the weekly retrain. The text machinery is the ``gongzhi.triage`` library."""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.appeals.categories import category_top_names
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.models import OPEN_STATUS_ORDER, Appeal, Category, CategoryTree, Status
from gongzhi.core.scoping import subtree_in, subtree_unindexed
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.triage import duplicates
from gongzhi.triage import services as library
from gongzhi.triage.classifier import Example
from gongzhi.triage.models import TriageModel
from gongzhi.triage.services import active_classifier

log = logging.getLogger(__name__)

MAX_CONFIRMED = 200_000  # the most recent confirmed appeals used for training
MAX_POOL = 300  # open appeals compared with a new one


# --- training ---------------------------------------------------------------------------------------


def _tree_of_tops() -> dict[int, str]:
    """Each category's tree, by category id."""
    return dict(Category.objects.values_list("pk", "tree"))


def confirmed_examples(limit: int = MAX_CONFIRMED, *, tree: str = CategoryTree.HOTLINE) -> list[Example]:
    """Appeals whose category staff set or confirmed in ``tree``, labelled with that category's first
    level."""
    top, trees = category_top_names(), _tree_of_tops()
    rows = (
        Appeal.objects.filter(category_confirmed=True, category__isnull=False)  # unscoped: training reads all
        .order_by("-created_at")
        .values_list("title", "body", "category_id")[:limit]
    )
    return [
        Example(title, body, top[category_id])
        for title, body, category_id in rows.iterator(chunk_size=2000)
        if trees.get(category_id) == tree
    ]


def triage_model_train(
    *,
    actor: User | None = None,
    use_confirmed: bool = True,
    activate: bool = True,
    tree: str = CategoryTree.HOTLINE,
) -> TriageModel:
    """Train a model of ``tree`` on its bundled messages (and the tree's terms) plus staff-confirmed appeals;
    store it and make it the active one (administrators only, or the system)."""
    if actor is not None and not actor.is_superuser:
        raise AppealError.forbidden("Only an administrator can retrain the triage model.")
    confirmed = confirmed_examples(tree=tree) if use_confirmed else []
    return library.triage_model_train(actor=actor, confirmed=confirmed, activate=activate, tree=tree)


# --- suggestions at intake --------------------------------------------------------------------------


def min_confidence() -> float:
    """Below this confidence no category is suggested (a wrong suggestion costs more than none)."""
    return float(getattr(settings, "GONGZHI_TRIAGE_MIN_CONFIDENCE", 0.4))


def category_suggestion(
    *, title: str, body: str, subdistrict: Node | None
) -> tuple[Category | None, float | None]:
    """The suggested first-level category for a new appeal and the model's confidence: from the compound
    tree (the hotline's taxonomy while no compound model is trained), the subdistrict's own entry before the
    shared one. Never raises: without a model, below the confidence floor or on any failure, no suggestion."""
    try:
        tree = CategoryTree.COMPOUND
        classifier = active_classifier(tree)
        if classifier is None:
            tree = CategoryTree.HOTLINE
            classifier = active_classifier(tree)
        if classifier is None:
            return None, None
        suggestion = classifier.suggest(title, body)
        if suggestion is None or suggestion.confidence < min_confidence():
            return None, None
        category = (
            Category.objects.filter(
                Q(subdistrict__isnull=True) | Q(subdistrict=subdistrict),
                tree=tree,
                level=1,
                name=suggestion.label,
                is_active=True,
            )
            .order_by("subdistrict_id")  # a subdistrict's own entry before the shared one (NULLs last)
            .first()
        )
        return (category, suggestion.confidence) if category is not None else (None, None)
    except Exception:  # intake must never fail because of triage
        log.exception("triage: no suggestion for an appeal")
        return None, None


def auto_apply_threshold() -> float:
    return float(getattr(settings, "GONGZHI_TRIAGE_AUTO_APPLY", 0.7))


# --- duplicates ---------------------------------------------------------------------------------------


def duplicate_pool(appeal: Appeal) -> Any:
    """Open appeals of the same community filed in the last weeks, newest first (unscoped: the caller
    narrows it to what the user may handle)."""
    community = appeal.node.ancestor_of_kind(NodeKind.COMMUNITY) or appeal.handling_node
    since = appeal.created_at - timedelta(days=getattr(settings, "GONGZHI_TRIAGE_DUPLICATE_DAYS", 30))
    # Walked newest first through ``appeal_open_by_date`` (open appeals only, each entry's place and status
    # in the index), stopping at the pool's size: the community's nodes are tested from the index
    # (``subtree_unindexed``), where a join on their paths gathered every appeal of the community, closed
    # ones too, and sorted them (190 ms for one appeal's page at 100,000 appeals).
    return (
        # unscoped: the pool callers narrow to what the user may handle
        Appeal.objects.filter(
            subtree_unindexed("node", [community.path])
            if connection.vendor == "sqlite"
            else subtree_in("node", [community.path]),  # PostgreSQL weighs the two ways by its statistics
            status__in=OPEN_STATUS_ORDER,
            created_at__gte=since,
        )
        .exclude(status=Status.TRANSFERRED)
        .exclude(pk=appeal.pk)
        .order_by("-created_at", "-id")
    )


def pool_texts(pool: Any) -> list[Any]:
    """The first ``MAX_POOL`` rows of a pool as (pk, title, body) rows: ranking reads only the texts, and
    building 300 whole appeals for five matches was half the time of an appeal's page."""
    return list(pool.values_list("pk", "title", "body", named=True)[:MAX_POOL])


def rank_duplicates(appeal: Appeal, pool: list[Any], limit: int = 5) -> list[tuple[Any, float]]:
    """The rows of ``pool`` (anything with ``title`` and ``body``: appeals, or rows of ``pool_texts``) that
    tell the same problem as ``appeal``, most similar first, with their similarity."""
    scores = duplicates.similarities([(appeal.title, appeal.body)], [(a.title, a.body) for a in pool])
    ranked = [
        (other, round(float(score), 3))
        for other, score in zip(pool, scores[0] if len(pool) else [], strict=True)
        if score >= duplicates.THRESHOLD
    ]
    ranked.sort(key=lambda pair: -pair[1])
    return ranked[:limit]


def appeal_duplicates_flag(*, appeal_id: int) -> int | None:
    """Record the most likely duplicate of a newly filed appeal (for the queue's badge). Returns its id."""
    # unscoped: the duplicate check runs as the system
    appeal = Appeal.objects.select_related("node", "handling_node").filter(pk=appeal_id).first()
    if appeal is None:
        return None
    best = None
    if appeal.is_open:
        pool = pool_texts(duplicate_pool(appeal).filter(created_at__lte=appeal.created_at))
        ranked = rank_duplicates(appeal, pool, limit=1)
        best = ranked[0][0].pk if ranked else None
    # unscoped: notes the outcome on the appeal just checked (the same outcome when run again)
    done = Appeal.objects.filter(pk=appeal.pk)
    done.update(duplicates_checked_at=timezone.now(), **({"possible_duplicate_id": best} if best else {}))
    return best


def appeals_unchecked(*, now: datetime | None = None, limit: int = 5000) -> list[int]:
    """Appeals of the last day still without their duplicate check GONGZHI_RECONCILE_AFTER_SECONDS after
    they were filed (the task was lost with a killed consumer): for the reconciler to queue again."""
    now = now or timezone.now()
    before = now - timedelta(seconds=settings.GONGZHI_RECONCILE_AFTER_SECONDS)
    # unscoped: the reconciler runs as the system, over every subdistrict
    rows = Appeal.objects.filter(
        duplicates_checked_at__isnull=True, created_at__lt=before, created_at__gte=now - timedelta(days=1)
    )
    return list(rows.order_by("pk").values_list("pk", flat=True)[:limit])


RETRAIN_AFTER = 50  # newly confirmed appeals that make a retrain worth it


def triage_model_retrain_if_due(*, min_new: int = RETRAIN_AFTER) -> list[TriageModel]:
    """Retrain each tree's model when at least ``min_new`` more of its appeals are confirmed than the
    active model was trained on."""
    trained = []
    for tree in (CategoryTree.COMPOUND, CategoryTree.HOTLINE):
        active = library.active_model_confirmed_count(tree)
        confirmed = Appeal.objects.filter(  # unscoped: the model learns from every subdistrict's appeals
            category_confirmed=True, category__isnull=False, category__tree=tree
        ).count()
        if active is not None and confirmed - active < min_new:
            continue
        trained.append(triage_model_train(use_confirmed=True, tree=tree))
    return trained
