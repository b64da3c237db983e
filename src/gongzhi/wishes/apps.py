from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import FEATURE, DemoStep, GongzhiApp, Mount, Nav, PhotoSlot
from gongzhi.core.rules import takes_part


class WishesConfig(GongzhiApp):
    name = "gongzhi.wishes"
    label = "wishes"
    verbose_name = _("Micro-wishes")
    layer = FEATURE
    urls = [Mount("wishes/", "gongzhi.wishes.urls")]
    api_router = "gongzhi.wishes.api.router"
    nav = [
        Nav(
            "wishes",
            _("Wish wall"),
            "wishes:index",
            order=30,
            shortcut=True,
            when=takes_part,
            section="services",
        )
    ]
    demo = [DemoStep("wishes", "gongzhi.wishes.demo.load", order=60)]
    kpis = "gongzhi.wishes.kpis.wishes_kpis"
    kpi_figures = "gongzhi.wishes.kpis.FIGURES"
    measures = "gongzhi.wishes.measures"
    kpi_label = _("Micro-wishes")
    # The wish's one photo: staff may show what is wished for; the helper's photo of it done replaces it.
    photos = [PhotoSlot("wish", "wishes.Wish", _("micro-wish"), back="wishes:detail", manage="moderate")]
