"""A scratch app, as a contributor's first app would be: it declares its menu entry, pages, API router,
demo step, home card and KPI provider here and touches nothing outside itself."""

from gongzhi.core.registry import FEATURE, DemoStep, GongzhiApp, HomeCard, Mount, Nav


class ScratchConfig(GongzhiApp):
    name = "tests.scratch"
    label = "scratch"
    verbose_name = "Scratch"
    layer = FEATURE
    urls = [Mount("scratch/", "tests.scratch.urls")]
    api_router = "tests.scratch.api.router"
    nav = [Nav("scratch", "Scratch", "scratch:index", order=80)]
    home_cards = [HomeCard("scratch/_card.html", "tests.scratch.views.card", order=90)]
    demo = [DemoStep("scratch", "tests.scratch.demo.load", order=99)]
    kpis = "tests.scratch.views.kpis"
