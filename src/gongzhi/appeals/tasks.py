"""Background work for appeals (run by `gongzhi run_huey`): the SLA sweep, duplicate checks, the retrain."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from gongzhi.appeals.sweep import appeals_sla_sweep
from gongzhi.appeals.triage import appeal_duplicates_flag, triage_model_retrain_if_due


@db_periodic_task(crontab(minute="*/10"))
@lock_task("appeals-sla-sweep")
def sla_sweep() -> dict[str, int]:
    return appeals_sla_sweep()


@db_task(retries=2, retry_delay=30)
def flag_duplicates(appeal_id: int) -> int | None:
    return appeal_duplicates_flag(appeal_id=appeal_id)


@db_periodic_task(crontab(day_of_week="1", hour="3", minute="17"))
@lock_task("triage-retrain")
def weekly_retrain() -> list[int]:
    """Monday night: retrain each tree's model when staff have confirmed enough new categories since its
    active model."""
    return [row.pk for row in triage_model_retrain_if_due()]
