from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import FEATURE, DemoStep, GongzhiApp, Mount, Nav, ObjectAction, Spreadsheet
from gongzhi.core.rules import is_caseworker, takes_part
from gongzhi.deliberation.rules import at_mediation_desk


class DeliberationConfig(GongzhiApp):
    name = "gongzhi.deliberation"
    label = "deliberation"
    verbose_name = _("Deliberation and mediation")
    layer = FEATURE
    # appeals: topics and mediation cases from appeals, decisions resolve them; venues: meetings book a room
    depends_on = ("gongzhi.appeals", "gongzhi.venues")
    urls = [Mount("deliberation/", "gongzhi.deliberation.urls")]
    api_router = "gongzhi.deliberation.api.router"
    nav = [
        Nav(
            "deliberation",
            _("Deliberation"),
            "deliberation:index",
            order=37,
            shortcut=True,
            when=takes_part,
            section="services",
        ),
        Nav(
            "mediation",
            _("Mediation desk"),
            "deliberation:case_desk",
            order=38,
            when=at_mediation_desk,
            section="services",
        ),
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
    spreadsheets = [
        Spreadsheet(
            "owned_units",
            _("Owned units and floor areas (owners' votes)"),
            importer="gongzhi.deliberation.votes.owned_units_import",
            import_when=is_caseworker,
            headers="小区编码, 房号, 面积, 业主",
        )
    ]
    watched_jobs = ["gongzhi.deliberation.tasks.REMINDERS"]
    demo = [DemoStep("deliberation", "gongzhi.deliberation.demo.load", order=74)]
    kpis = "gongzhi.deliberation.kpis.deliberation_kpis"
    kpi_figures = "gongzhi.deliberation.kpis.FIGURES"
    measures = "gongzhi.deliberation.measures"
    kpi_label = _("Deliberation and mediation")
