"""Settings for a single machine: the demo and development."""

import os

from gongzhi.settings.base import *  # noqa: F403

DEBUG = os.environ.get("GONGZHI_DEBUG", "") == "1"
# `make demo` prints sign-in codes (numbers stay masked) so that the code sign-in can be tried.
GONGZHI_SMS_CONSOLE_SHOW_CODES = os.environ.get("GONGZHI_SMS_CONSOLE_SHOW_CODES", "1") == "1"
