from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import CORE, GongzhiApp, Mount, Nav
from gongzhi.core.rules import can_import, is_superuser


class CoreConfig(GongzhiApp):
    name = "gongzhi.core"
    label = "core"
    verbose_name = _("Core")
    layer = CORE
    urls = [Mount("", "gongzhi.core.urls")]
    api_router = "gongzhi.core.photo_api.router"
    nav = [
        Nav("home", _("Home"), "core:home", order=0, bar=True),
        Nav("imports", _("Excel import"), "core:imports", order=70, when=can_import, section="manage"),
        Nav("admin", _("Administration"), "admin:index", order=90, when=is_superuser, section="manage"),
    ]

    def ready(self) -> None:
        super().ready()
        from django.db.models.signals import post_migrate

        from gongzhi.core.sqlite import optimize_after_migrate

        # Once per migrate (not once per app): connected to this app's signal only.
        post_migrate.connect(optimize_after_migrate, sender=self, dispatch_uid="gongzhi-sqlite-optimize")
