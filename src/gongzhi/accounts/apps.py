from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import PLATFORM, GongzhiApp, HomeCard, Mount, Nav, Spreadsheet
from gongzhi.core.rules import is_caseworker


class AccountsConfig(GongzhiApp):
    name = "gongzhi.accounts"
    label = "accounts"
    verbose_name = _("Accounts and people")
    layer = PLATFORM
    urls = [Mount("accounts/", "gongzhi.accounts.urls")]
    api_router = "gongzhi.accounts.api.router"
    nav = [
        Nav("people", _("Residents"), "accounts:person_list", order=60, when=is_caseworker, section="manage")
    ]
    home_cards = [HomeCard("accounts/_home_roles.html", "gongzhi.accounts.home.roles_card", order=20)]
    spreadsheets = [
        Spreadsheet(
            "residents",
            _("Residents"),
            importer="gongzhi.accounts.spreadsheets.residents_import",
            exporter="gongzhi.accounts.spreadsheets.residents_export_for",
            import_when=is_caseworker,
            headers="姓名, 所在节点编码, 性别, 出生年份, 手机号, 身份证号, 房号",
            export_url="accounts:person_export",
            export_when=is_caseworker,
        )
    ]

    def ready(self) -> None:
        super().ready()
        from django.core.checks import Tags, register

        from gongzhi.accounts import checks, signals

        signals.connect()
        register(checks.trusted_proxies, Tags.security)
        register(checks.deploy_proxy, Tags.security, deploy=True)
        register(checks.deploy_sms, Tags.security, deploy=True)
