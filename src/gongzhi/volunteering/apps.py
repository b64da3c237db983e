from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import FEATURE, DemoStep, GongzhiApp, Mount, Nav, PhotoSlot
from gongzhi.core.rules import takes_part


class VolunteeringConfig(GongzhiApp):
    name = "gongzhi.volunteering"
    label = "volunteering"
    verbose_name = _("Volunteering")
    layer = FEATURE
    depends_on = ("gongzhi.ledger",)  # confirmed hours earn points
    urls = [Mount("volunteering/", "gongzhi.volunteering.urls")]
    api_router = "gongzhi.volunteering.api.router"
    nav = [
        Nav(
            "volunteering",
            _("Volunteering"),
            "volunteering:index",
            order=20,
            shortcut=True,
            bar=True,
            when=takes_part,
            section="services",
        )
    ]
    demo = [DemoStep("volunteering", "gongzhi.volunteering.demo.load", order=40)]
    kpis = "gongzhi.volunteering.kpis.volunteering_kpis"
    kpi_figures = "gongzhi.volunteering.kpis.FIGURES"
    measures = "gongzhi.volunteering.measures"
    kpi_label = _("Volunteering")
    place_pickers = {"organise": "gongzhi.volunteering.selectors.organise_choice"}
    photos = [PhotoSlot("activity", "volunteering.Activity", _("activity"), back="volunteering:detail")]
