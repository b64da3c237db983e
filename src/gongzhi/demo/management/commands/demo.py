import os
import shutil
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.sqlite import optimize
from gongzhi.demo.loader import DemoLoader, demo_is_loaded


class Command(BaseCommand):
    help = "Migrate, load the five demo sub-districts and serve with gunicorn on 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--load-only", action="store_true", help="Load the demo data, do not serve.")
        parser.add_argument("--reset", action="store_true", help="Empty the database first.")
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, load_only=False, reset=False, bind="127.0.0.1:8000", workers=2, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        if demo_is_loaded():
            self.stdout.write("Demo data already loaded (use --reset to load it again).")
        else:
            started = time.monotonic()
            stats = DemoLoader(progress=lambda step: self.stdout.write(f"  loading {step} …")).load()
            summary = ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in stats.items())
            self.stdout.write(self.style.SUCCESS(f"Loaded {summary} in {time.monotonic() - started:.1f} s."))
            optimize(analyze=True)  # SQLite: the planner's statistics for the data just loaded
        # Pages name their assets through the static manifest: without it every page is a 500, whichever
        # server (gunicorn here, or `gongzhi runserver` after --load-only) serves them.
        call_command("collectstatic", interactive=False, verbosity=0)
        if load_only:
            return
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
        if gunicorn is None:
            raise CommandError("gunicorn is not installed; run `make demo` to set up.")
        # Background work (SLA sweep, notifications, duplicate checks) runs in a Huey consumer beside the
        # server; it is a child of this process, so Ctrl-C stops both.
        subprocess.Popen([sys.executable, "-m", "gongzhi.cli", "run_huey", "--workers", "1"])
        self.stdout.write(
            self.style.SUCCESS(f"Serving on http://{bind}/  (accounts in README.md, password gongzhi-demo)")
        )
        # hand the process over to the server; fixed arguments
        os.execv(gunicorn, gunicorn_command(gunicorn, bind=bind, workers=workers))  # noqa: S606


def gunicorn_command(gunicorn: str, *, bind: str, workers: int, access_log: str = "-") -> list[str]:
    """The server's command line: the access log goes through the logger that removes API keys and
    tokens from it (``gongzhi.core.accesslog``)."""
    return [
        gunicorn,
        "gongzhi.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--access-logfile",
        access_log,
        "--logger-class",
        "gongzhi.core.accesslog.GunicornLogger",
    ]
