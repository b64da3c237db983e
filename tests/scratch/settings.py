"""The test settings with the scratch app installed (the one edit a new app needs)."""

from gongzhi.settings.test import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.scratch"]  # noqa: F405
