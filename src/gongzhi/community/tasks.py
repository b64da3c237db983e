"""Background work of the module (run by `gongzhi run_huey`): bound indicators move with their figures and
the owners of late tasks are reminded, once a day."""

import logging

from huey.contrib.djhuey import db_periodic_task, lock_task

from gongzhi.community.models import Plan, PlanStatus
from gongzhi.community.plans import late_tasks_remind, plan_indicators_refresh
from gongzhi.core.background import Every

log = logging.getLogger("gongzhi.community")

DAILY = Every("community-plans-daily", 86400)


@db_periodic_task(DAILY)
@lock_task(DAILY.name)
def plans_daily() -> None:
    # unscoped: the system refreshes every plan under way
    for plan in Plan.objects.filter(status=PlanStatus.ACTIVE).select_related("created_by"):
        plan_indicators_refresh(plan=plan)
    reminded = late_tasks_remind()
    log.info("late plan tasks reminded: %s", reminded)
