"""Cross-cutting records: the append-only base for history and ledger rows, and the audit log."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.roles import Role
from gongzhi.core.scoping import ScopedQuerySetMixin, ScopePolicy


class AppendOnlyError(ValueError):
    """History is never edited: an event or ledger row cannot be changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only")


class ScopedAppendOnlyQuerySet(ScopedQuerySetMixin, AppendOnlyQuerySet):
    pass


class AppendOnlyModel(models.Model):
    """A row that is only ever inserted: an event of a workflow, a ledger entry, an audit record.

    Python refuses ``save()`` of an existing row, ``delete()`` and queryset ``update()``/``delete()``; on
    PostgreSQL a trigger refuses UPDATE and DELETE too (``core.migration_operations.AppendOnly`` in the
    app's migration; ``tests/core/test_append_only.py`` checks that every such model has it)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{self._meta.label} rows are append-only")


class AuditEvent(AppendOnlyModel):
    """Who did what to which record, when. Rows are only ever inserted."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = ScopedAppendOnlyQuerySet.as_manager()  # type: ignore[misc]
    scope = ScopePolicy(
        node_field="node",
        actions={"view": frozenset({Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_SECRETARY})},
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"


class WorkdayOverride(models.Model):
    """A day the State Council's notice makes a workday or a holiday, where the holidays package differs."""

    day = models.DateField(_("day"), unique=True)
    is_workday = models.BooleanField(_("workday"))
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("working-day exception")
        verbose_name_plural = _("working-day exceptions")

    def __str__(self) -> str:
        return f"{self.day} {'workday' if self.is_workday else 'holiday'}"


class Job(models.Model):
    """What the database knows of one piece of background work, shared by every consumer: the last period
    a scheduler queued it for (so it is queued once however many schedulers run), the lease of the process
    running it now (it expires unless renewed, so a process that dies blocks nothing for long), and when it
    last ran to the end."""

    name = models.CharField(max_length=120, unique=True)
    queued_for = models.DateTimeField(null=True, blank=True)
    holder = models.CharField(max_length=120, blank=True)
    held_until = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_succeeded_at = models.DateTimeField(null=True, blank=True)
    last_failed_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
