import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.local")
application = get_wsgi_application()


def _warm_up() -> None:
    """Do at worker start what the first request would otherwise pay for (1.8 s on the benchmark machine):
    import the URLconf (every view, API schema and what they import), this year's working-day calendar (the
    holidays package imports its countries then) and what the apps register (the triage model)."""
    from django.db import connections
    from django.urls import get_resolver
    from django.utils import timezone

    from gongzhi.core.registry import warm_ups
    from gongzhi.core.workdays import add_working_days

    get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect
    add_working_days(timezone.now(), 1, overrides={})
    for warm_up in warm_ups():
        warm_up()  # each never raises; without a database or a model, the first request loads it later
    connections.close_all()  # with gunicorn --preload, forked workers must not share this connection


_warm_up()
