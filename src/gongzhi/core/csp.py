"""The Content-Security-Policy of every page (served by django-csp's middleware).

Pages load scripts, styles, fonts and images from the site itself only: no inline script, no inline
``on*=`` handler, no ``eval``, no ``<style>`` element. The one outside source is the map tile server,
whose host is taken from ``GONGZHI_MAP_TILES`` (or given as ``GONGZHI_MAP_TILE_HOSTS``), and the hosts of
live training streams (``GONGZHI_LIVE_STREAM_HOSTS``).
"""

from typing import Any
from urllib.parse import urlsplit

from csp.constants import NONE, SELF


def tile_sources(tiles_url: str) -> list[str]:
    """The CSP source of a Leaflet tile URL template: ``https://webrd0{s}.is.autonavi.com/...`` becomes
    ``https://*.is.autonavi.com`` (a templated label and those left of it are one wildcard)."""
    parts = urlsplit(tiles_url)
    if not parts.scheme or not parts.netloc:
        return []
    labels = parts.netloc.split(".")
    templated = [n for n, label in enumerate(labels) if "{" in label]
    host = ".".join(["*", *labels[templated[-1] + 1 :]]) if templated else parts.netloc
    return [f"{parts.scheme}://{host}"]


def policy(*, tile_hosts: list[str], stream_hosts: list[str] | None = None) -> dict[str, Any]:
    """django-csp's ``CONTENT_SECURITY_POLICY`` for the given map tile hosts and live-stream hosts (party
    work's live training: hls.js fetches the stream's playlist and segments, and plays them from a blob)."""
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF],
            "style-src": [SELF],
            # blob: photos previewed before upload; data: Leaflet's and the icons' small images
            "img-src": [SELF, "data:", "blob:", *tile_hosts],
            "font-src": [SELF],
            "connect-src": [SELF, *(stream_hosts or [])],
            "media-src": [SELF, "blob:", *(stream_hosts or [])],
            "object-src": [NONE],
            "base-uri": [SELF],
            "form-action": [SELF],
            "frame-ancestors": [NONE],
        }
    }
