from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import (
    FEATURE,
    DemoStep,
    GongzhiApp,
    HomeCard,
    Mount,
    Nav,
    ObjectAction,
    PhotoSlot,
    Spreadsheet,
)
from gongzhi.core.rules import is_caseworker, takes_part


class AlliancesConfig(GongzhiApp):
    name = "gongzhi.alliances"
    label = "alliances"
    verbose_name = _("Party-building alliances")
    layer = FEATURE
    depends_on = (
        "gongzhi.appeals",
    )  # an appeal becomes a need; residents rate projects on the appeals' scale
    urls = [Mount("alliances/", "gongzhi.alliances.urls")]
    api_router = "gongzhi.alliances.api.router"
    nav = [
        Nav(
            "alliances",
            _("Alliance projects"),
            "alliances:index",
            order=39,
            when=takes_part,
            section="services",
        )
    ]
    # A unit's account lands on its unit's work (projects to claim, needs, its resources), before the rest.
    home_cards = [HomeCard("alliances/_home_unit.html", "gongzhi.alliances.home.unit_card", order=5)]
    object_actions = [
        ObjectAction(
            "appeals.Appeal",
            "need",
            _("Ask the alliance's units"),
            "alliances:lists",
            param="appeal",
            fragment="post-need",
            when="gongzhi.appeals.rules.handles_open",
            order=30,
        )
    ]
    demo = [DemoStep("alliances", "gongzhi.alliances.demo.load", order=70)]
    kpis = "gongzhi.alliances.kpis.alliance_kpis"
    kpi_figures = "gongzhi.alliances.kpis.FIGURES"
    measures = "gongzhi.alliances.measures"
    kpi_label = _("Party-building alliances")
    photos = [PhotoSlot("project", "alliances.Project", _("project"), back="alliances:project")]
    spreadsheets = [
        Spreadsheet(
            "alliance_units",
            _("Alliance member units"),
            importer="gongzhi.alliances.spreadsheets.units_import",
            import_when=is_caseworker,
            headers="单位名称, 单位类型, 街道编码, 党组织, 联系人, 联系电话, 地址, 纬度, 经度, 加入联盟, 加入日期",
        ),
        Spreadsheet(
            "alliance_resources",
            _("Alliance units' resources"),
            importer="gongzhi.alliances.spreadsheets.resources_import",
            import_when=is_caseworker,
            headers="单位名称, 街道编码, 类别, 资源名称, 说明, 计量, 数量, 服务半径（公里）, 开始日期, 结束日期",
        ),
        Spreadsheet(
            "alliance_lists",
            _("The three lists (resources, needs, projects)"),
            exporter="gongzhi.alliances.spreadsheets.three_lists_export",
            export_url="alliances:export",
            export_when=is_caseworker,
        ),
    ]
