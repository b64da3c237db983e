"""The appeal state machine: which action moves an appeal from which states to which, and who may take it."""

from dataclasses import dataclass

from gongzhi.appeals.models import OPEN_STATUSES, Status


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: decided by the service (e.g. a rating closes or reopens)
    by: str  # "staff", "resident" or "system+staff"
    needs: tuple[str, ...] = ()
    public: bool = True  # shown on the resident's timeline


S = Status
ACTIVE = frozenset({S.SUBMITTED, S.ACCEPTED, S.INFO_REQUESTED, S.ASSIGNED})

TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(frozenset({S.SUBMITTED}), S.ACCEPTED, "staff"),
    "request_info": Transition(
        frozenset({S.SUBMITTED, S.ACCEPTED, S.ASSIGNED}), S.INFO_REQUESTED, "staff", ("note",)
    ),
    "provide_info": Transition(frozenset({S.INFO_REQUESTED}), None, "resident", ("note",)),
    "assign": Transition(frozenset({S.ACCEPTED, S.ASSIGNED}), S.ASSIGNED, "staff"),
    "escalate": Transition(ACTIVE, S.SUBMITTED, "system+staff", ("note",)),
    "transfer": Transition(frozenset({S.ACCEPTED, S.ASSIGNED}), S.TRANSFERRED, "staff", ("transferred_to",)),
    "merge": Transition(ACTIVE, S.MERGED, "staff", ("merge_into",)),
    "resolve": Transition(
        frozenset({S.ACCEPTED, S.ASSIGNED, S.TRANSFERRED}), S.RESOLVED, "staff", ("reply",)
    ),
    "rate": Transition(frozenset({S.RESOLVED}), None, "resident", ("rating",)),
    "close": Transition(frozenset({S.RESOLVED}), S.CLOSED, "system+staff"),
    "comment": Transition(frozenset(OPEN_STATUSES), None, "staff", ("note",), public=False),
    # Staff set or confirm the category; confirmed categories train the triage model.
    "categorise": Transition(frozenset(OPEN_STATUSES), None, "staff", ("category",), public=False),
}
