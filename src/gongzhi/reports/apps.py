from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import FEATURE, GongzhiApp, Mount, Nav
from gongzhi.core.rules import is_overseer


class ReportsConfig(GongzhiApp):
    name = "gongzhi.reports"
    label = "reports"
    verbose_name = _("Monthly reports")
    layer = FEATURE
    urls = [Mount("reports/", "gongzhi.reports.urls")]
    api_router = "gongzhi.reports.api.router"
    nav = [
        Nav("reports", _("Monthly reports"), "reports:index", order=13, when=is_overseer, section="figures")
    ]
    watched_jobs = ["gongzhi.reports.tasks.MONTHLY"]
