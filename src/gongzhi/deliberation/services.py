"""Every write of deliberation and mediation, by concept: councils and topics (``topics.py``), meetings and
minutes (``meetings.py``), votes (``votes.py``), decisions carried out (``decisions.py``), mediation cases
(``mediation.py``); the state machines of topics and cases are in ``workflow.py``."""

from gongzhi.deliberation.decisions import action_add, action_progress, decision_reminders, topic_finish
from gongzhi.deliberation.mediation import (
    case_flag_risk,
    case_from_appeal,
    case_open,
    case_party_add,
    follow_up_record,
    follow_up_schedule,
    session_record,
)
from gongzhi.deliberation.meetings import (
    agenda_add,
    attendance_mark,
    meeting_close,
    meeting_notes,
    meeting_open,
    meeting_schedule,
    minutes_approve,
    minutes_object,
    minutes_publish,
    quorum,
)
from gongzhi.deliberation.topics import (
    composition_problems,
    council_create,
    council_member_add,
    council_member_remove,
    council_roles_set,
    topic_comment,
    topic_from_appeal,
    topic_propose,
    topic_rate,
    topic_support,
)
from gongzhi.deliberation.votes import ballot_cast, owned_units_import, vote_close, vote_open
from gongzhi.deliberation.workflow import TOPIC_WORKFLOW, case_transition, topic_transition

__all__ = [
    "TOPIC_WORKFLOW",
    "action_add",
    "action_progress",
    "agenda_add",
    "attendance_mark",
    "ballot_cast",
    "case_flag_risk",
    "case_from_appeal",
    "case_open",
    "case_party_add",
    "case_transition",
    "composition_problems",
    "council_create",
    "council_member_add",
    "council_member_remove",
    "council_roles_set",
    "decision_reminders",
    "follow_up_record",
    "follow_up_schedule",
    "meeting_close",
    "meeting_notes",
    "meeting_open",
    "meeting_schedule",
    "minutes_approve",
    "minutes_object",
    "minutes_publish",
    "owned_units_import",
    "quorum",
    "session_record",
    "topic_comment",
    "topic_finish",
    "topic_from_appeal",
    "topic_propose",
    "topic_rate",
    "topic_support",
    "topic_transition",
    "vote_close",
    "vote_open",
]
