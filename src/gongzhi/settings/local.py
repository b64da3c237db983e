"""Settings for a single machine: the demo and development."""

import os

from gongzhi.settings.base import *  # noqa: F403

DEBUG = os.environ.get("GONGZHI_DEBUG", "") == "1"
# `make demo` prints sign-in codes (numbers stay masked) so that the code sign-in can be tried.
GONGZHI_SMS_CONSOLE_SHOW_CODES = os.environ.get("GONGZHI_SMS_CONSOLE_SHOW_CODES", "1") == "1"

# The demo's live training sessions name this (made-up) stream host.
if not os.environ.get("GONGZHI_LIVE_STREAM_HOSTS"):
    GONGZHI_LIVE_STREAM_HOSTS = ["https://live.shangtang.example.org"]
    CONTENT_SECURITY_POLICY = policy(  # noqa: F405
        tile_hosts=GONGZHI_MAP_TILE_HOSTS,  # noqa: F405
        stream_hosts=GONGZHI_LIVE_STREAM_HOSTS,
    )
