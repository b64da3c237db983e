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
from gongzhi.core.rules import is_caseworker, is_unit_only, takes_part


class AlliancesConfig(GongzhiApp):
    name = "gongzhi.alliances"
    label = "alliances"
    verbose_name = _("Party-building alliances")
    layer = FEATURE
    # An appeal, a hot issue or a wish becomes a need, an appeal goes to a unit; residents rate projects on the
    # appeals' scale; projects' activities are volunteering's; units offer mall items and in-kind gifts become
    # mall stock; alliances share the venues module's venues.
    depends_on = (
        "gongzhi.appeals",
        "gongzhi.wishes",
        "gongzhi.volunteering",
        "gongzhi.ledger",
        "gongzhi.venues",
    )
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
        ),
        # A unit's account has its own menu (core.rules.takes_part leaves residents' entries out for it).
        Nav("alliances", _("My projects"), "alliances:index", order=30, when=is_unit_only),
        Nav("unit_claims", _("My claims"), "alliances:my_claims", order=31, when=is_unit_only),
        Nav("unit_resources", _("My resources"), "alliances:lists", order=32, when=is_unit_only),
        Nav("unit_appeals", _("Appeals for us"), "alliances:my_appeals", order=33, when=is_unit_only),
        Nav(
            "unit_agreements",
            _("Co-building agreements"),
            "alliances:my_agreements",
            order=34,
            when=is_unit_only,
        ),
        Nav("unit_donations", _("Donations"), "alliances:donations", order=35, when=is_unit_only),
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
            when="gongzhi.alliances.links.may_make_need",
            order=30,
        ),
        ObjectAction(
            "appeals.Appeal",
            "on_need",
            _("On the alliance's need list"),
            "alliances:need_of",
            param="appeal",
            when="gongzhi.alliances.links.has_need",
            order=31,
        ),
        ObjectAction(
            "appeals.Appeal",
            "unit",
            _("Transfer to a co-building unit"),
            "alliances:transfer_new",
            param="appeal",
            when="gongzhi.alliances.links.may_transfer",
            order=32,
        ),
        ObjectAction(
            "appeals.hot_issue",
            "need",
            _("Make it a need for the alliance"),
            "alliances:lists",
            param="hot",
            fragment="post-need",
            when="gongzhi.alliances.links.may_make_hot_need",
            order=30,
        ),
        ObjectAction(
            "wishes.Wish",
            "need",
            _("Ask the alliance's units"),
            "alliances:lists",
            param="wish",
            fragment="post-need",
            when="gongzhi.alliances.links.may_make_need",
            order=30,
        ),
        ObjectAction(
            "wishes.Wish",
            "on_need",
            _("On the alliance's need list"),
            "alliances:need_of",
            param="wish",
            when="gongzhi.alliances.links.has_need",
            order=31,
        ),
    ]
    demo = [
        DemoStep("alliances", "gongzhi.alliances.demo.load", order=70),
        DemoStep("alliance venues", "gongzhi.alliances.demo.link_venues", order=73),  # after venues (72)
    ]
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
