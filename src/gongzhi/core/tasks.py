"""Periodic upkeep of the embedded database (run by `gongzhi run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from gongzhi.core.sqlite import optimize


@db_periodic_task(crontab(minute="17", hour="*/6"))
@lock_task("sqlite-optimize")
def sqlite_optimize() -> bool:
    """Refresh SQLite's planner statistics as appeals and residents are added (nothing on PostgreSQL,
    whose autovacuum does it)."""
    return optimize()
