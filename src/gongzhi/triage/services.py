"""The triage library's state: the stored models, the active one loaded once per process, training.
It imports no app; ``gongzhi.appeals.triage`` applies it to appeals."""

import logging
import time
from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError, transaction

from gongzhi.triage.classifier import CategoryClassifier, Example, ModelError
from gongzhi.triage.models import TriageModel
from gongzhi.triage.training import lexicon, seed_examples, taxonomy_documents

log = logging.getLogger(__name__)

RECHECK_SECONDS = 30.0  # how stale a process's loaded model may be after another is activated


# --- the active model, loaded once per process ----------------------------------------------------

_loaded: dict[str, Any] = {"id": None, "model": None, "checked": None}


def forget_loaded_model() -> None:
    _loaded.update(id=None, model=None, checked=None)


def active_classifier() -> CategoryClassifier | None:
    """The active model, or None when there is none or it cannot be read (intake carries on without)."""
    now = time.monotonic()
    if _loaded["checked"] is not None and now - _loaded["checked"] < RECHECK_SECONDS:
        return _loaded["model"]
    try:
        active_id = TriageModel.objects.filter(is_active=True).values_list("pk", flat=True).first()
    except DatabaseError:
        log.warning("triage: the model table cannot be read", exc_info=True)
        return None
    if active_id != _loaded["id"]:
        model = None
        if active_id is not None:
            blob = TriageModel.objects.filter(pk=active_id).values_list("blob", flat=True).first()
            try:
                model = CategoryClassifier.loads(bytes(blob)) if blob is not None else None
            except ModelError:
                log.exception("triage: model #%s cannot be used", active_id)
        _loaded.update(id=active_id, model=model)
    _loaded["checked"] = now
    return _loaded["model"]


# --- training ---------------------------------------------------------------------------------------


def triage_model_train(
    *, actor: Any = None, confirmed: Sequence[Example] = (), activate: bool = True
) -> TriageModel:
    """Train on the bundled real messages (and the taxonomy's terms) plus ``confirmed`` examples (texts
    whose category people have confirmed); store the model and, with ``activate``, make it the active one."""
    classifier = CategoryClassifier.train(
        seed_examples() + list(confirmed), lexicon=lexicon(), extra=taxonomy_documents()
    )
    with transaction.atomic():
        if activate:
            TriageModel.objects.filter(is_active=True).update(is_active=False)
        row = TriageModel.objects.create(
            created_by=actor,
            labels=classifier.labels,
            trained_on=classifier.meta["trained_on"],
            confirmed_appeals=len(confirmed),
            blob=classifier.dumps(),
            is_active=activate,
        )
    forget_loaded_model()
    return row


def active_model_confirmed_count() -> int | None:
    """How many confirmed examples the active model was trained on (None: no active model)."""
    return TriageModel.objects.filter(is_active=True).values_list("confirmed_appeals", flat=True).first()
