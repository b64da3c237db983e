"""Nightly proof of the points ledger (run by `gongzhi run_huey`)."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from gongzhi.ledger.services import points_reconcile

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="2", minute="41"))
@lock_task("points-reconcile")
def reconcile() -> bool:
    result = points_reconcile()
    if not result.sound:
        log.error(
            "points ledger NOT sound: %d mismatched balances %s, unbalanced transactions %s, total %d",
            len(result.mismatched),
            result.mismatched[:20],
            result.unbalanced[:20],
            result.total,
        )
    return result.sound
