from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import FEATURE, DemoStep, GongzhiApp, Mount, Nav, ObjectAction, Spreadsheet
from gongzhi.core.rules import is_caseworker, takes_part


class AlliancesConfig(GongzhiApp):
    name = "gongzhi.alliances"
    label = "alliances"
    verbose_name = _("Party-building alliances")
    layer = FEATURE
    depends_on = (
        "gongzhi.appeals",
    )  # an appeal becomes a need; residents rate projects on the appeals' scale
    urls = [Mount("alliances/", "gongzhi.alliances.urls")]
    api_router = "gongzhi.alliances.api.router"
    nav = [Nav("alliances", _("Alliance projects"), "alliances:index", order=39, when=takes_part)]
    object_actions = [
        ObjectAction(
            "appeals.Appeal",
            "need",
            _("Ask the alliance's units"),
            "alliances:lists",
            param="appeal",
            fragment="post-need",
            when="gongzhi.appeals.rules.handles_open",
            order=30,
        )
    ]
    demo = [DemoStep("alliances", "gongzhi.alliances.demo.load", order=70)]
    kpis = "gongzhi.alliances.kpis.alliance_kpis"
    measures = "gongzhi.alliances.measures"
    kpi_label = _("Party-building alliances")
    spreadsheets = [
        Spreadsheet(
            "alliance_lists",
            _("The three lists (resources, needs, projects)"),
            exporter="gongzhi.alliances.spreadsheets.three_lists_export",
            export_url="alliances:export",
            export_when=is_caseworker,
        )
    ]
