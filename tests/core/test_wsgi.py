"""The WSGI entry point warms a worker up before it serves anyone."""

import json
import subprocess
import sys


def test_a_worker_starts_warm_even_without_a_database(tmp_path):
    # A fresh process, as a gunicorn worker is, with an empty data folder: no tables, no triage model.
    probe = (
        "import json, sys, time\n"
        "t = time.perf_counter()\n"
        "import gongzhi.wsgi\n"
        "from django.db import connection\n"
        "print(json.dumps({'views': 'gongzhi.appeals.api' in sys.modules,"
        " 'calendar': 'holidays.countries.china' in sys.modules,"
        " 'connected': connection.connection is not None}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        env={
            "GONGZHI_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "gongzhi.settings.local",
            "PATH": "",
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "views": True,
        "calendar": True,
        "connected": False,
    }
