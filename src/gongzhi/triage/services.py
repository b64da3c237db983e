"""The triage library's state: the stored models, the active one loaded once per process, training.
It imports no app; ``gongzhi.appeals.triage`` applies it to appeals."""

import logging
import time
from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError, transaction

from gongzhi.triage.classifier import CategoryClassifier, Example, ModelError
from gongzhi.triage.models import TriageModel
from gongzhi.triage.training import (
    compound_examples,
    compound_tree_documents,
    lexicon,
    seed_examples,
    taxonomy_documents,
)

# Each category tree's bundled training material: (real and written examples, the tree's own terms).
TREES = {
    "hotline": (seed_examples, taxonomy_documents),
    "compound": (compound_examples, compound_tree_documents),
}

log = logging.getLogger(__name__)

RECHECK_SECONDS = 30.0  # how stale a process's loaded model may be after another is activated


# --- the active model, loaded once per process ----------------------------------------------------

_loaded: dict[str, dict[str, Any]] = {}


def forget_loaded_model() -> None:
    _loaded.clear()


def active_classifier(tree: str = "hotline") -> CategoryClassifier | None:
    """The active model of ``tree``, or None when there is none or it cannot be read (intake carries on
    without)."""
    now = time.monotonic()
    state = _loaded.setdefault(tree, {"id": None, "model": None, "checked": None})
    if state["checked"] is not None and now - state["checked"] < RECHECK_SECONDS:
        return state["model"]
    try:
        active_id = TriageModel.objects.filter(is_active=True, tree=tree).values_list("pk", flat=True).first()
    except DatabaseError:
        log.warning("triage: the model table cannot be read", exc_info=True)
        return None
    if active_id != state["id"]:
        model = None
        if active_id is not None:
            blob = TriageModel.objects.filter(pk=active_id).values_list("blob", flat=True).first()
            try:
                model = CategoryClassifier.loads(bytes(blob)) if blob is not None else None
            except ModelError:
                log.exception("triage: model #%s cannot be used", active_id)
        state.update(id=active_id, model=model)
    state["checked"] = now
    return state["model"]


# --- training ---------------------------------------------------------------------------------------


def bundled_training(tree: str) -> tuple[list[Example], list[tuple[str, str]]]:
    """The examples and the tree's terms a model of ``tree`` learns from before any confirmed appeal."""
    if tree not in TREES:
        raise ModelError(f"Unknown category tree {tree!r}; expected one of {', '.join(TREES)}.")
    examples, terms = TREES[tree]
    return examples(), terms()


def triage_model_train(
    *, actor: Any = None, confirmed: Sequence[Example] = (), activate: bool = True, tree: str = "hotline"
) -> TriageModel:
    """Train a model of ``tree`` on its bundled examples (and the tree's terms) plus ``confirmed`` examples
    (texts whose category people have confirmed); store it and, with ``activate``, make it the active one."""
    examples, terms = bundled_training(tree)
    classifier = CategoryClassifier.train(examples + list(confirmed), lexicon=lexicon(), extra=terms)
    with transaction.atomic():
        if activate:
            TriageModel.objects.filter(is_active=True, tree=tree).update(is_active=False)
        row = TriageModel.objects.create(
            created_by=actor,
            tree=tree,
            labels=classifier.labels,
            trained_on=classifier.meta["trained_on"],
            confirmed_appeals=len(confirmed),
            blob=classifier.dumps(),
            is_active=activate,
        )
    forget_loaded_model()
    return row


def active_model_confirmed_count(tree: str = "hotline") -> int | None:
    """How many confirmed examples the active model of ``tree`` was trained on (None: no active model)."""
    return (
        TriageModel.objects.filter(is_active=True, tree=tree)
        .values_list("confirmed_appeals", flat=True)
        .first()
    )
