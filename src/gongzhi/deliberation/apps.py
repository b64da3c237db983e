from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import FEATURE, DemoStep, GongzhiApp, Mount, Nav, ObjectAction
from gongzhi.core.rules import is_caseworker, takes_part


class DeliberationConfig(GongzhiApp):
    name = "gongzhi.deliberation"
    label = "deliberation"
    verbose_name = _("Deliberation and mediation")
    layer = FEATURE
    depends_on = ("gongzhi.appeals",)  # topics and mediation cases from appeals; decisions resolve them
    urls = [Mount("deliberation/", "gongzhi.deliberation.urls")]
    api_router = "gongzhi.deliberation.api.router"
    nav = [
        Nav(
            "deliberation", _("Deliberation"), "deliberation:index", order=37, shortcut=True, when=takes_part
        ),
        Nav("mediation", _("Mediation desk"), "deliberation:case_desk", order=38, when=is_caseworker),
    ]
    object_actions = [
        ObjectAction(
            "appeals.Appeal",
            "topic",
            _("Take to a council"),
            "deliberation:index",
            param="appeal",
            fragment="from-appeal",
            when="gongzhi.appeals.rules.handles_open",
            order=10,
        ),
        ObjectAction(
            "appeals.Appeal",
            "mediation",
            _("Take to mediation"),
            "deliberation:case_desk",
            param="appeal",
            fragment="from-appeal",
            when="gongzhi.appeals.rules.handles_open",
            order=20,
        ),
    ]
    demo = [DemoStep("deliberation", "gongzhi.deliberation.demo.load", order=74)]
    kpis = "gongzhi.deliberation.kpis.deliberation_kpis"
    measures = "gongzhi.deliberation.measures"
    kpi_label = _("Deliberation and mediation")
