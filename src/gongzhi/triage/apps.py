from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import SERVICE, GongzhiApp


class TriageConfig(GongzhiApp):
    """Text classification, duplicate detection and hot issues as a library (it imports no app); the
    appeal-specific use of it lives in ``gongzhi.appeals.triage``."""

    name = "gongzhi.triage"
    label = "triage"
    verbose_name = _("Smart triage")
    layer = SERVICE
    warm_up = ["gongzhi.triage.services.active_classifier"]
