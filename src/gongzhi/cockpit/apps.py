from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import FEATURE, DemoStep, GongzhiApp, Mount, Nav
from gongzhi.core.rules import is_overseer


class CockpitConfig(GongzhiApp):
    name = "gongzhi.cockpit"
    label = "cockpit"
    verbose_name = _("Digital cockpit")
    layer = FEATURE
    # The appeals panel's map and hot issues are read from the appeals themselves; every other module is
    # read through its measures (``GongzhiApp.measures``) and needs no import.
    depends_on = ("gongzhi.appeals",)
    urls = [Mount("cockpit/", "gongzhi.cockpit.urls")]
    api_router = "gongzhi.cockpit.api.router"
    nav = [Nav("cockpit", _("Cockpit"), "cockpit:index", order=9, when=is_overseer)]
    # After the appeal tallies (95): every module's demo data is in.
    demo = [DemoStep("cockpit rollups", "gongzhi.cockpit.demo.load", order=98)]
    watched_jobs = ["gongzhi.cockpit.tasks.REFRESH"]
