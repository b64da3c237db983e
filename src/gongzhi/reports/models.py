"""A stored monthly report: the PDF and the workbook of one node and month, made on request or by the
monthly task, kept under ``GONGZHI_DATA_DIR/reports``. Made again, it replaces the files of the same node
and month."""

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.roles import OVERSIGHT_ROLES
from gongzhi.core.scoping import ScopedQuerySet, ScopePolicy


def reports_dir() -> Path:
    return Path(settings.DATA_DIR) / "reports"


class MonthlyReport(models.Model):
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))  # the first day of the month
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)
    # Who asked for it; empty when the monthly task made it.
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pdf_size = models.PositiveIntegerField(default=0)
    xlsx_size = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(node_field="node", actions={"view": OVERSIGHT_ROLES})

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month", "node__path"]
        constraints = [models.UniqueConstraint(fields=["node", "month"], name="report_node_month")]
        # The reports in reach, newest month first: walked by month, the reach tested on the entries.
        indexes = [models.Index(fields=["month", "node"], name="report_by_month")]

    def __str__(self) -> str:
        return f"{self.node_id} {self.month:%Y-%m}"

    def file_path(self, kind: str) -> Path:
        """Where the stored file of ``kind`` ("pdf" or "xlsx") lies."""
        return reports_dir() / str(self.node_id) / f"{self.month:%Y-%m}.{kind}"
