"""The access-log test's server: the demo's settings, with tables made straight from the models (quicker
than running every migration; the log is what is tested)."""

from gongzhi.settings.local import *  # noqa: F403

MIGRATION_MODULES = {app.rsplit(".", 1)[-1]: None for app in INSTALLED_APPS}  # noqa: F405
MIGRATION_MODULES |= {"auth": None, "contenttypes": None, "sessions": None, "admin": None}
