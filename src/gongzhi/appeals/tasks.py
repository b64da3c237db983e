"""Background work for appeals (run by `gongzhi run_huey`): the SLA sweep, duplicate checks, the reconciler
that queues again what a killed consumer lost, the retrain, the KPI day tallies."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from gongzhi.appeals.sweep import appeals_sla_sweep, sweep_late_alert
from gongzhi.appeals.tallies import tallies_rebuild, tallies_refresh
from gongzhi.appeals.triage import appeal_duplicates_flag, appeals_unchecked, triage_model_retrain_if_due
from gongzhi.core.background import Every

log = logging.getLogger("gongzhi.appeals")

# Every ten minutes; the lease of the same name guards it and records its last run (GET /healthz).
SWEEP = Every("appeals-sla-sweep", 600)


@db_periodic_task(SWEEP)
@lock_task(SWEEP.name)
def sla_sweep() -> None:
    counts = appeals_sla_sweep()
    log.info("SLA sweep: %s", counts)


@db_task(retries=2, retry_delay=30)
def flag_duplicates(appeal_id: int) -> None:
    appeal_duplicates_flag(appeal_id=appeal_id)


@db_periodic_task(Every("appeals-reconcile", 300))
@lock_task("appeals-reconcile")
def reconcile() -> None:
    """Queue again the duplicate checks lost with a killed consumer; tell the subdistricts' administrators
    when the SLA sweep is late."""
    unchecked = appeals_unchecked()
    for appeal_id in unchecked:
        flag_duplicates(appeal_id)
    if unchecked:
        log.warning("queued %d duplicate checks again (lost in flight)", len(unchecked))
    told = sweep_late_alert(period=SWEEP.period)
    if told:
        log.error("the SLA sweep is late: told %d administrators", told)


@db_periodic_task(crontab(day_of_week="1", hour="3", minute="17"))
@lock_task("triage-retrain")
def weekly_retrain() -> None:
    """Monday night: retrain each tree's model when staff have confirmed enough new categories since its
    active model."""
    trained = [row.pk for row in triage_model_retrain_if_due()]
    if trained:
        log.info("triage models trained: %s", trained)


@db_periodic_task(Every("appeals-tallies", 60))
@lock_task("appeals-tallies")
def refresh_tallies() -> None:
    """The KPI day tallies take in the appeals changed since the last run (appeals/tallies.py)."""
    days = tallies_refresh()
    if days:
        log.info("appeal tallies: %d days rebuilt", days)


@db_periodic_task(crontab(hour="3", minute="41"))
@lock_task("appeals-tallies")
def rebuild_tallies() -> None:
    """Nightly: every tally built again from the appeals, taking in rows written without an event."""
    log.info("appeal tallies rebuilt: %d rows", tallies_rebuild())
