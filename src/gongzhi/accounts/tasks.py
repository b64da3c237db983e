"""Periodic housekeeping for sign-in records (run by `gongzhi run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gongzhi.accounts.services import sign_in_records_purge


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_sign_in_records() -> dict[str, int]:
    return sign_in_records_purge()
