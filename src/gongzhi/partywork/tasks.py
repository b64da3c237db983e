"""Background work of party organisation work (run by `gongzhi run_huey`): once a day, the branches whose
committee's term is about to end (or has ended without an election) and the working committee over them are
reminded to hold the election (换届)."""

import logging

from huey.contrib.djhuey import db_periodic_task, lock_task

from gongzhi.core.background import Every
from gongzhi.partywork.branches import terms_remind

log = logging.getLogger("gongzhi.partywork")

# Daily; the lease of the same name guards it and records its last run (GET /healthz, the cockpit).
TERMS = Every("partywork-terms", 86400)


@db_periodic_task(TERMS)
@lock_task(TERMS.name)
def terms_daily() -> None:
    reminded = terms_remind()
    log.info("branch terms reminded: %s", reminded)
