"""Periodic work for appeals (run by `gongzhi run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from gongzhi.appeals.services import appeals_sla_sweep


@db_periodic_task(crontab(minute="*/10"))
@lock_task("appeals-sla-sweep")
def sla_sweep() -> dict[str, int]:
    return appeals_sla_sweep()
