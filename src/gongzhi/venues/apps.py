from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import FEATURE, DemoStep, GongzhiApp, Mount, Nav
from gongzhi.core.rules import is_overseer


class VenuesConfig(GongzhiApp):
    name = "gongzhi.venues"
    label = "venues"
    verbose_name = _("Service venues")
    layer = FEATURE
    urls = [Mount("venues/", "gongzhi.venues.urls")]
    api_router = "gongzhi.venues.api.router"
    nav = [
        Nav("venues", _("Venues"), "venues:index", order=40, shortcut=True),
        Nav("venues_staff", _("Venue desk"), "venues:desk", order=41, when=is_overseer),
    ]
    demo = [DemoStep("venues", "gongzhi.venues.demo.load", order=72)]
    kpis = "gongzhi.venues.kpis.venues_kpis"
    measures = "gongzhi.venues.measures"
    kpi_label = _("Service venues")
