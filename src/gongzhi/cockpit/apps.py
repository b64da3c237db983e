from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import FEATURE, DemoStep, GongzhiApp, Mount, Nav
from gongzhi.core.rules import is_overseer


class CockpitConfig(GongzhiApp):
    name = "gongzhi.cockpit"
    label = "cockpit"
    verbose_name = _("Digital cockpit")
    layer = FEATURE
    # The appeals panel's hot issues are clustered from the appeals themselves; everything else, the map of
    # open appeals too, is read through the modules' measures (``GongzhiApp.measures``) and needs no import.
    depends_on = ("gongzhi.appeals",)
    urls = [Mount("cockpit/", "gongzhi.cockpit.urls")]
    api_router = "gongzhi.cockpit.api.router"
    # On the bar of a short menu: a figures-only viewer's whole work is here.
    nav = [Nav("cockpit", _("Cockpit"), "cockpit:index", order=9, when=is_overseer, bar=True)]
    # After the appeal tallies (95): every module's demo data is in.
    demo = [DemoStep("cockpit rollups", "gongzhi.cockpit.demo.load", order=98)]
    watched_jobs = ["gongzhi.cockpit.tasks.REFRESH"]
