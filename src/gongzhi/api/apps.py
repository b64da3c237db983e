from gongzhi.core.registry import SERVICE, GongzhiApp


class ApiConfig(GongzhiApp):
    """Assembles the routers the apps register into one NinjaAPI (``gongzhi.api.api``)."""

    name = "gongzhi.api"
    label = "api"
    verbose_name = "API"
    layer = SERVICE
