from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import PLATFORM, GongzhiApp, HomeCard, Mount, Nav, Spreadsheet
from gongzhi.core.rules import is_caseworker, is_manager, is_overseer


class OrgsConfig(GongzhiApp):
    name = "gongzhi.orgs"
    label = "orgs"
    verbose_name = _("Organisation")
    layer = PLATFORM
    urls = [Mount("", "gongzhi.orgs.urls")]
    api_router = "gongzhi.orgs.api.router"
    nav = [
        Nav("nodes", _("Areas"), "orgs:node_roots", order=50, section="manage"),
        Nav("party", _("Party organisations"), "orgs:party_org_list", order=51, section="party"),
    ]
    home_cards = [HomeCard("orgs/_home_summary.html", "gongzhi.orgs.home.summary_card", order=30)]
    spreadsheets = [
        Spreadsheet(
            "party_members",
            _("Party members"),
            importer="gongzhi.orgs.spreadsheets.party_members_import",
            exporter="gongzhi.orgs.spreadsheets.party_members_export_for",
            import_when=is_manager,
            headers="姓名, 身份证号, 党组织, 党组织节点编码, 职务, 在职党员, 工作单位",
            export_url="orgs:party_members_export",
            export_when=is_caseworker,
        ),
        Spreadsheet(
            "nodes",
            _("Areas (nodes)"),
            importer="gongzhi.orgs.spreadsheets.nodes_import",
            exporter="gongzhi.orgs.spreadsheets.nodes_export_for",
            import_when=is_manager,
            headers="编码, 名称, 层级, 上级编码, 类型, 地址, 纬度, 经度, 户数, 人口",
            export_url="orgs:nodes_export",
            export_when=is_overseer,
        ),
    ]
