from django.utils.translation import gettext_lazy as _

from gongzhi.appeals.rules import is_party
from gongzhi.core.registry import FEATURE, DemoStep, GongzhiApp, HomeCard, Mount, Nav, Spreadsheet
from gongzhi.core.rules import is_caseworker, is_neighbour, is_overseer


class AppealsConfig(GongzhiApp):
    name = "gongzhi.appeals"
    label = "appeals"
    verbose_name = _("Residents' appeals")
    layer = FEATURE
    urls = [Mount("appeals/", "gongzhi.appeals.urls"), Mount("open311/", "gongzhi.appeals.open311_urls")]
    api_router = "gongzhi.appeals.api.router"
    nav = [
        Nav("appeals", _("Appeals"), "appeals:index", order=10, when=is_caseworker),
        # A property manager's or alliance unit's daily work: on the bar of their short menu, not under "More".
        Nav(
            "appeals",
            _("Assigned to us"),
            "appeals:index",
            order=10,
            when=is_party & ~is_caseworker,
            bar=True,
        ),
        Nav(
            "appeals",
            _("My appeals"),
            "appeals:index",
            order=10,
            when=is_neighbour & ~is_caseworker & ~is_party,
            bar=True,
        ),
        Nav("kpis", _("Appeal figures"), "appeals:kpis", order=11, when=is_overseer, section="figures"),
        Nav("hot", _("Hot issues"), "appeals:hot", order=12, when=is_overseer, section="figures"),
    ]
    home_cards = [HomeCard("appeals/_home_start.html", "gongzhi.appeals.home.start_card", order=10)]
    spreadsheets = [
        Spreadsheet(
            "appeals",
            _("Appeals"),
            exporter="gongzhi.appeals.spreadsheets.appeals_export_for",
            export_url="appeals:export",
            export_when=is_caseworker,
        )
    ]
    demo = [
        DemoStep("appeals", "gongzhi.appeals.demo.load", order=30),
        # After every step that files appeals: the KPI day tallies of all of them.
        DemoStep("appeal tallies", "gongzhi.appeals.demo.load_tallies", order=95),
    ]
    watched_jobs = ["gongzhi.appeals.tasks.SWEEP"]
    kpis = "gongzhi.appeals.kpis.appeal_kpis"
    kpi_figures = "gongzhi.appeals.kpis.FIGURES"
    measures = "gongzhi.appeals.measures"
    kpi_label = _("Residents' appeals")
