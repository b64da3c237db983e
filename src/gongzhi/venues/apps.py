from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import FEATURE, DemoStep, GongzhiApp, Mount, Nav, PhotoSlot
from gongzhi.core.rules import is_overseer, takes_part


class VenuesConfig(GongzhiApp):
    name = "gongzhi.venues"
    label = "venues"
    verbose_name = _("Service venues")
    layer = FEATURE
    # Convenience-service hours earn points; a rotation week lists the volunteering activities it runs.
    depends_on = ("gongzhi.ledger", "gongzhi.volunteering")
    urls = [Mount("venues/", "gongzhi.venues.urls")]
    api_router = "gongzhi.venues.api.router"
    nav = [
        # The district viewer (figures only) has no use for booking or queue tickets: the desk shows them figures.
        Nav(
            "venues",
            _("Venues"),
            "venues:index",
            order=40,
            shortcut=True,
            when=takes_part,
            section="services",
        ),
        Nav("venues_staff", _("Venue desk"), "venues:desk", order=41, when=is_overseer, section="services"),
    ]
    demo = [DemoStep("venues", "gongzhi.venues.demo.load", order=72)]
    kpis = "gongzhi.venues.kpis.venues_kpis"
    kpi_figures = "gongzhi.venues.kpis.FIGURES"
    place_pickers = {"venue": "gongzhi.venues.selectors.venue_place_choice"}
    measures = "gongzhi.venues.measures"
    kpi_label = _("Service venues")
    photos = [PhotoSlot("venue", "venues.Venue", _("venue"), back="venues:detail")]
