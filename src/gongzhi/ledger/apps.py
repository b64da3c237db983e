from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import FEATURE, DemoStep, GongzhiApp, Mount, Nav, PhotoSlot
from gongzhi.core.rules import takes_part


class LedgerConfig(GongzhiApp):
    name = "gongzhi.ledger"
    label = "ledger"
    verbose_name = _("Points ledger")
    layer = FEATURE
    urls = [Mount("mall/", "gongzhi.ledger.urls")]
    api_router = "gongzhi.ledger.api.router"
    nav = [
        Nav(
            "mall",
            _("Points mall"),
            "mall:index",
            order=40,
            shortcut=True,
            bar=True,
            when=takes_part,
            section="services",
        )
    ]
    demo = [DemoStep("mall", "gongzhi.ledger.demo.load", order=50)]
    kpis = "gongzhi.ledger.kpis.points_kpis"
    kpi_figures = "gongzhi.ledger.kpis.FIGURES"
    measures = "gongzhi.ledger.measures"
    kpi_label = _("Points and the points mall")
    place_pickers = {"mall": "gongzhi.ledger.selectors.mall_place_choice"}
    photos = [PhotoSlot("mall-item", "ledger.MallItem", _("mall item"), back="mall:manage")]
