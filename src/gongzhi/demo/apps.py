from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import SERVICE, DemoStep, GongzhiApp


class DemoConfig(GongzhiApp):
    """``gongzhi demo``: the five real sub-districts. This app loads the world every other app's demo step
    builds on (the tree, the register, party organisations, the README's accounts)."""

    name = "gongzhi.demo"
    label = "demo"
    verbose_name = _("Demo data")
    layer = SERVICE
    demo = [
        DemoStep("world", "gongzhi.demo.world.load", order=0),
        DemoStep("party", "gongzhi.demo.party.load", order=10),
        DemoStep("accounts", "gongzhi.demo.accounts.load", order=20),
    ]
