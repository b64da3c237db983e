"""Settings for a single machine: the demo and development."""

import os

from gongzhi.settings.base import *  # noqa: F403

DEBUG = os.environ.get("GONGZHI_DEBUG", "") == "1"
