"""Background work of the cockpit (run by `gongzhi run_huey`): the day rollups take in the changes every
minute and are built again every night."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from gongzhi.cockpit.rollups import rollups_rebuild, rollups_refresh
from gongzhi.core.background import Every

log = logging.getLogger("gongzhi.cockpit")

REFRESH = Every("cockpit-rollups", 60)


@db_periodic_task(REFRESH)
@lock_task(REFRESH.name)
def refresh_rollups() -> None:
    days = rollups_refresh()
    if days:
        log.info("cockpit rollups: %d days counted again", days)


@db_periodic_task(crontab(hour="3", minute="41"))
@lock_task("cockpit-rollups-rebuild")
def rebuild_rollups() -> None:
    """Nightly: everything again, which takes in rows written without a trace (bulk loads)."""
    log.info("cockpit rollups rebuilt: %d rows", rollups_rebuild())
