from huey.contrib.djhuey import db_task

from gongzhi.triage.services import appeal_duplicates_flag


@db_task(retries=2, retry_delay=30)
def flag_duplicates(appeal_id: int) -> int | None:
    return appeal_duplicates_flag(appeal_id=appeal_id)
