"""Background work of the module (run by `gongzhi run_huey`): once a day the owners of overdue action items
are reminded and the council's chair and secretary told (the escalation of decisions carried out)."""

import logging

from huey.contrib.djhuey import db_periodic_task, lock_task

from gongzhi.core.background import Every
from gongzhi.deliberation.decisions import REMINDER_BATCH, decision_reminders

log = logging.getLogger("gongzhi.deliberation")

# Once a day; the lease of the same name guards it and records its last run (GET /healthz).
REMINDERS = Every("deliberation-reminders", 86400)


@db_periodic_task(REMINDERS)
@lock_task(REMINDERS.name)
def reminders() -> int:
    total = 0
    while True:  # a batch at a time, until every overdue item has been reminded today
        count = decision_reminders()
        total += count
        if count < REMINDER_BATCH:
            break
    log.info("overdue action items reminded: %s", total)
    return total
