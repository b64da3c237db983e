"""The cockpit's day rollups: one row per (node, day, app, measure) holding the sum of an additive figure
over the node's whole subtree (materialised at every ancestor of the node where it happened), so that a
cockpit reads one node's rows for its period, and a ranking its children's (docs/cockpit.md)."""

from django.db import models


class Rollup(models.Model):
    node = models.ForeignKey("orgs.Node", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    app = models.CharField(max_length=32)
    measure = models.CharField(max_length=64)
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "day", "app", "measure"], name="cockpit_rollup_unique")
        ]
        indexes = [models.Index(fields=["app", "day"], name="cockpit_rollup_app_day")]

    def __str__(self) -> str:
        return f"{self.node_id} {self.day} {self.app}.{self.measure}={self.value}"


class RollupMark(models.Model):
    """How far the rollups have taken in changes (one row): the refresh counts again the days touched
    since ``refreshed_at`` (less a margin); ``rebuilt_at`` is the last full build."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rollups refreshed {self.refreshed_at}"
