"""The cockpit's day rollups: one row per (node, day, app, measure) holding the sum of an additive figure
over the node's whole subtree (materialised at every ancestor of the node where it happened), so that a
cockpit reads one node's rows for its period, and a ranking its children's (docs/cockpit.md)."""

from django.db import models


class Rollup(models.Model):
    # No index of its own: the unique constraint and the covering index start with the node.
    node = models.ForeignKey("orgs.Node", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    app = models.CharField(max_length=32)
    measure = models.CharField(max_length=64)
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "day", "app", "measure"], name="cockpit_rollup_unique")
        ]
        indexes = [
            models.Index(fields=["app", "day"], name="cockpit_rollup_app_day"),
            # A ranking reads one measure of each child over the period: one index range per child and measure.
            # The value is the last key so that the index answers alone (an index-only scan on PostgreSQL, a
            # covering index on SQLite): the rows of one node lie on thousands of heap pages, not together.
            models.Index(fields=["node", "app", "measure", "day", "value"], name="cockpit_rollup_cover"),
        ]

    def __str__(self) -> str:
        return f"{self.node_id} {self.day} {self.app}.{self.measure}={self.value}"


class RollupMonth(models.Model):
    """The day rollups summed per calendar month (``month`` is its first day), kept in step with them by
    every write of day rollups: a month, quarter or year reads 12 rows per measure, not 365."""

    # No index of its own: the unique constraint and the covering index start with the node.
    node = models.ForeignKey("orgs.Node", on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField()
    app = models.CharField(max_length=32)
    measure = models.CharField(max_length=64)
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["node", "month", "app", "measure"], name="cockpit_rollupmonth_unique"
            )
        ]
        indexes = [
            models.Index(fields=["app", "month"], name="cockpit_rollupmonth_app"),
            models.Index(
                fields=["node", "app", "measure", "month", "value"], name="cockpit_rollupmonth_cover"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node_id} {self.month:%Y-%m} {self.app}.{self.measure}={self.value}"


class RollupMark(models.Model):
    """How far the rollups have taken in changes (one row): the refresh counts again the days touched
    since ``refreshed_at`` (less a margin); ``rebuilt_at`` is the last full build; ``version`` moves with
    every write that changed a row."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    # A new random number at every write that changed a rollup row: the cockpits assembled from the rows are
    # kept under it (random, so that a database loaded afresh never meets the cache of an earlier one).
    version = models.PositiveBigIntegerField(default=0)
    # The same for the place rollups (the map), moved apart: appeals fall late nearly every minute in a city,
    # and that must not throw away the cockpits assembled from the day rollups.
    places_version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"rollups refreshed {self.refreshed_at}"


class RollupPlace(models.Model):
    """A module's figures of each place as they stand now, not per day (the appeals: how many are open and
    how many of those late, per place where they were filed), counted again by every refresh: the map of a
    cockpit reads its places' rows, never the events. Only places with a figure have rows."""

    node = models.ForeignKey("orgs.Node", on_delete=models.CASCADE, related_name="+", db_index=False)
    app = models.CharField(max_length=32)
    measure = models.CharField(max_length=64)
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "app", "measure"], name="cockpit_rollupplace_unique")
        ]
        indexes = [models.Index(fields=["app", "measure", "node", "value"], name="cockpit_rollupplace_app")]

    def __str__(self) -> str:
        return f"{self.node_id} {self.app}.{self.measure}={self.value}"
