from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import FEATURE, DemoStep, GongzhiApp, Mount, Nav


def in_party_work(user):  # type: ignore[no-untyped-def]
    from gongzhi.partywork.rules import in_party_work as predicate

    return predicate.test(user)


class PartyworkConfig(GongzhiApp):
    name = "gongzhi.partywork"
    label = "partywork"
    verbose_name = _("Party organisation work")
    layer = FEATURE
    # Member points proposed from members' volunteering services and the wishes they fulfilled (autopoints).
    depends_on = ("gongzhi.volunteering", "gongzhi.wishes")
    urls = [Mount("party/", "gongzhi.partywork.urls")]
    api_router = "gongzhi.partywork.api.router"
    nav = [
        Nav("partywork", _("Party work"), "partywork:index", order=45, when=in_party_work, section="party")
    ]
    demo = [DemoStep("partywork", "gongzhi.partywork.demo.load", order=76)]
    kpis = "gongzhi.partywork.kpis.partywork_kpis"
    kpi_figures = "gongzhi.partywork.kpis.FIGURES"
    measures = "gongzhi.partywork.measures"
    kpi_label = _("Party organisation work")
    watched_jobs = ["gongzhi.partywork.tasks.TERMS"]
