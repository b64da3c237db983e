from django.utils.translation import gettext_lazy as _

from gongzhi.core.registry import SERVICE, GongzhiApp, Mount


class NotificationsConfig(GongzhiApp):
    name = "gongzhi.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    layer = SERVICE
    urls = [Mount("messages/", "gongzhi.notifications.urls")]
    context_processors = ["gongzhi.notifications.context_processors.unread"]
