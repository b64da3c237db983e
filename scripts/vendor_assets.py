"""Copy the front-end files Gongzhi serves from node_modules into the static folder.

The libraries come from the npm registry with a lockfile; nothing is ever loaded from a CDN.
"""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "gongzhi" / "static" / "vendor"
FILES = {
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
    "hls.js/dist/hls.light.min.js": "hls/hls.light.min.js",
    "hls.js/dist/hls.light.min.js.map": "hls/hls.light.min.js.map",
    "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
    "leaflet/dist/leaflet.js.map": "leaflet/leaflet.js.map",
    "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
    "leaflet/dist/images": "leaflet/images",
    "leaflet.markercluster/dist/leaflet.markercluster.js": "leaflet/leaflet.markercluster.js",
    "leaflet.markercluster/dist/leaflet.markercluster.js.map": "leaflet/leaflet.markercluster.js.map",
    "leaflet.markercluster/dist/MarkerCluster.css": "leaflet/MarkerCluster.css",
}


def main() -> None:
    for source, target in FILES.items():
        src = ROOT / "node_modules" / source
        dst = TARGET / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copyfile(src, dst)


if __name__ == "__main__":
    main()
