"""SQLite as a server database: the connection settings live in ``settings.base.database_config`` (WAL,
synchronous=NORMAL, a busy timeout for several gunicorn workers and the Huey consumer); this module keeps the
planner's statistics fresh, which SQLite does not do by itself. Without them it guesses, and at 100,000
appeals a guess can walk the wrong index and sort the rest (docs/deploy.md)."""

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections


def optimize(*, analyze: bool = False, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Refresh the statistics of the tables whose contents changed a lot (``PRAGMA optimize``), or of every
    table (``analyze``: after loading data in bulk). Nothing on other databases; True when it ran."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        if analyze:
            cursor.execute("ANALYZE")
        # 0x10002: also look at tables never analysed; the limit keeps it quick on a large file.
        cursor.execute("PRAGMA analysis_limit=2000")
        cursor.execute("PRAGMA optimize=0x10002")
    return True


def optimize_after_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """After ``migrate``: new tables and indexes get statistics at once."""
    optimize(analyze=True, using=using)
