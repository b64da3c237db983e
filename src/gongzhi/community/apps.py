from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import FEATURE, DemoStep, GongzhiApp, Mount, Nav
from gongzhi.core.rules import is_caseworker, is_overseer, takes_part


class CommunityConfig(GongzhiApp):
    name = "gongzhi.community"
    label = "community"
    verbose_name = _("Community services and plans")
    layer = FEATURE
    # Points for free services by volunteers (ledger); the party-member multiplier (volunteering).
    depends_on = ("gongzhi.ledger", "gongzhi.volunteering")
    urls = [Mount("community/", "gongzhi.community.urls")]
    api_router = "gongzhi.community.api.router"
    nav = [
        Nav(
            "services",
            _("Services"),
            "community:services",
            order=35,
            shortcut=True,
            when=takes_part,
            section="services",
        ),
        Nav(
            "service-orders",
            _("Service orders"),
            "community:orders",
            order=36,
            when=is_caseworker,
            section="services",
        ),
        Nav("plans", _("Action plans"), "community:plans", order=65, when=is_overseer, section="figures"),
    ]
    demo = [DemoStep("community", "gongzhi.community.demo.load", order=78)]
    kpis = "gongzhi.community.kpis.community_kpis"
    kpi_figures = "gongzhi.community.kpis.FIGURES"
    place_pickers = {
        "plan": "gongzhi.community.selectors.plan_place_choice",
        "directory": "gongzhi.community.selectors.directory_place_choice",
    }
    measures = "gongzhi.community.measures"
    kpi_label = _("Community services and plans")
