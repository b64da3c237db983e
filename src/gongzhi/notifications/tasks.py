"""Delivery of the outbox (run by `gongzhi run_huey`): each message's own task, and a reconciler that finds
what a killed consumer never delivered."""

import logging

from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from gongzhi.core.background import Every
from gongzhi.notifications.delivery import notifications_deliver, notifications_reconcile

log = logging.getLogger("gongzhi.notifications")

BATCH = 50


@db_task(retries=3, retry_delay=60)
def deliver(ids: list[int]) -> None:
    notifications_deliver(ids=ids)


@db_periodic_task(Every("notifications-reconcile", 300))
@lock_task("notifications-reconcile")
def deliver_pending() -> None:
    """Queue again what is still pending (a failed send, a task lost with its consumer); sends left
    half-done are sent again with the same idempotency key, or marked uncertain."""
    counts, ids = notifications_reconcile()
    for start in range(0, len(ids), BATCH):
        deliver(ids[start : start + BATCH])
    if any(counts.values()):
        log.info("notifications reconciled: %s", counts)
