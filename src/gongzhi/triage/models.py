"""Trained models, kept in the database so that every app server and worker uses the same one."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TriageModel(models.Model):
    """A trained category classifier (an .npz blob: vocabulary, weights, calibration; no pickle).

    One row per training run; exactly one is active for each category tree (``tree``: the compound tree
    or the hotline's taxonomy). Not scoped to a node: the categories are the trees' first level, shared by
    every sub-district."""

    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tree = models.CharField(max_length=16, default="hotline")
    labels = models.JSONField(default=list)
    trained_on = models.JSONField(default=dict)  # label → number of real examples
    confirmed_appeals = models.PositiveIntegerField(default=0)  # of which staff-confirmed appeals
    blob = models.BinaryField()
    is_active = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")
        constraints = [
            models.UniqueConstraint(
                fields=["tree"], condition=Q(is_active=True), name="one_active_triage_model_per_tree"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.created_at:%Y-%m-%d %H:%M})"
