"""Background work of reports (run by `gongzhi run_huey`): once a day, last month's report of every
district, subdistrict and community that has none yet, so the reports of a month are there on its first
day and a missed day is made up the next."""

import logging

from huey.contrib.djhuey import db_periodic_task, lock_task

from gongzhi.core.background import Every
from gongzhi.reports.services import reports_monthly_generate

log = logging.getLogger("gongzhi.reports")

MONTHLY = Every("reports-monthly", 86400)


@db_periodic_task(MONTHLY)
@lock_task(MONTHLY.name)
def monthly_reports() -> None:
    made = reports_monthly_generate()
    log.info("monthly reports made: %s", made)
