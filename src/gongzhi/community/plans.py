"""Writes and figures of action plans: making a plan with its steps and actions, adding tasks, owners'
updates with evidence, bound indicators that move by themselves, weighted progress and late reminders."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import RoleBinding, User
from gongzhi.community.errors import CommunityError
from gongzhi.community.models import (
    Plan,
    PlanAction,
    PlanEvent,
    PlanStatus,
    PlanStep,
    PlanTask,
    TaskUpdate,
)
from gongzhi.community.rules import manages_plan, updates_task
from gongzhi.core.registry import kpi_figure, kpi_providers
from gongzhi.core.roles import CASEWORK_ROLES, MANAGER_ROLES
from gongzhi.notifications.services import notify
from gongzhi.orgs.models import Node

YEARS = range(2000, 2101)
MAX_ACTIONS = 20
MAX_TASKS = 500
FIGURE_LIMIT = 1e12  # baselines and targets of bound indicators lie within ± this


def _log(plan: Plan, actor: User, action: str, note: str = "") -> None:
    PlanEvent.objects.create(
        plan=plan, actor=actor, action=action, from_status=plan.status, to_status=plan.status, note=note[:300]
    )


def plan_figures(
    *, plan: Plan, node: Node | None = None, app: str | None = None
) -> dict[tuple[str, str], float]:
    """The figures a task of ``plan`` can follow: every number of every module's KPI provider (or of
    ``app``'s only), counted as the plan's author may count it over ``node`` (the plan's place by default)
    and the plan's years."""
    start, end = _plan_period(plan)
    found: dict[tuple[str, str], float] = {}
    for label, provider in kpi_providers().items():
        if label == "community" or (app is not None and label != app):
            continue  # the plan's own progress is not an indicator of itself
        totals = provider(fetched_by=plan.created_by, node=node or plan.node, start=start, end=end)["total"]
        for figure, value in totals.items():
            if isinstance(value, int | float) and not isinstance(value, bool) and len(figure) <= 40:
                found[(label, figure)] = float(value)
    return found


def _text(value: str, *, field: str, limit: int, message: Any, required: bool = True) -> str:
    text = (value or "").replace("\x00", "").strip()
    if (required and not text) or len(text) > limit:
        raise CommunityError.invalid(message, field=field)
    return text


def plan_create(
    *,
    actor: User,
    node: Node,
    title: str,
    start_year: int,
    years: int = 3,
    steps: list[str] | None = None,
    actions: list[str] | None = None,
    summary: str = "",
) -> Plan:
    """A plan of ``node`` over ``years`` years from ``start_year``, with one step a year (named by
    ``steps``) and its list of actions. Drafted by a manager over the node."""
    probe = Plan(node=node)
    if not manages_plan.test(actor, probe):
        raise CommunityError.forbidden(_("You cannot make plans here."))
    title = _text(title, field="title", limit=100, message=_("A plan has a title of at most 100 characters."))
    summary = _text(summary, field="summary", limit=500, message=_("At most 500 characters."), required=False)
    if start_year not in YEARS or not 1 <= years <= 10 or start_year + years - 1 not in YEARS:
        raise CommunityError.invalid(
            _("A plan spans one to ten years from 2000 to 2100."), field="start_year"
        )
    steps = steps if steps is not None else [_("Year %(n)s") % {"n": n} for n in range(1, years + 1)]
    actions = actions or []
    if len(steps) != years:
        raise CommunityError.invalid(_("Give one step for each year."), field="steps")
    if len(actions) > 20:
        raise CommunityError.invalid(_("A plan has at most 20 actions."), field="actions")
    names = [
        _text(s, field="steps", limit=60, message=_("A step's name is 1 to 60 characters.")) for s in steps
    ]
    action_names = [
        _text(a, field="actions", limit=60, message=_("An action's name is 1 to 60 characters."))
        for a in actions
    ]
    with transaction.atomic():
        plan = Plan.objects.create(
            node=node,
            title=title,
            summary=summary,
            start_year=start_year,
            end_year=start_year + years - 1,
            created_by=actor,
        )
        PlanStep.objects.bulk_create(
            PlanStep(
                plan=plan,
                order=n,
                name=name,
                starts_on=date(start_year + n - 1, 1, 1),
                ends_on=date(start_year + n - 1, 12, 31),
            )
            for n, name in enumerate(names, start=1)
        )
        PlanAction.objects.bulk_create(
            PlanAction(plan=plan, order=n, name=name) for n, name in enumerate(action_names, start=1)
        )
        _log(plan, actor, "create")
    return plan


def action_add(*, actor: User, plan: Plan, name: str) -> PlanAction:
    """One more action under the plan (a manager over the plan's place; not once the plan is closed)."""
    if not manages_plan.test(actor, plan):
        raise CommunityError.forbidden(_("You cannot change this plan."))
    if plan.status == PlanStatus.CLOSED:
        raise CommunityError.wrong_state(_("This plan is closed."))
    name = _text(name, field="name", limit=60, message=_("An action's name is 1 to 60 characters."))
    with transaction.atomic():
        # unscoped: the actions of a plan the actor manages (locked so two additions get distinct numbers)
        Plan.objects.select_for_update().filter(pk=plan.pk).first()
        actions = list(plan.actions.all())
        if len(actions) >= MAX_ACTIONS:
            raise CommunityError.invalid(_("A plan has at most 20 actions."), field="name")
        if any(a.name == name for a in actions):
            raise CommunityError.conflict("duplicate", _("This plan already has that action."))
        action = PlanAction.objects.create(
            plan=plan, order=max((a.order for a in actions), default=0) + 1, name=name
        )
        _log(plan, actor, "add_action", name)
    return action


def works_at(user: User, node: Node) -> bool:
    """The person has a staff role at the place, above it or below it (a task's named owner)."""
    ancestors = [node.path[:n] for n in range(Node.steplen, len(node.path) + 1, Node.steplen)]
    # unscoped: whether one named person holds a role on the line through the task's place
    bound = RoleBinding.objects.filter(user_id=user.pk, role__in=CASEWORK_ROLES)
    return (
        bound.filter(node__path__in=ancestors).exists()
        or bound.filter(node__path__startswith=node.path).exists()
    )


def task_add(
    *,
    actor: User,
    plan: Plan,
    action: PlanAction,
    node: Node,
    title: str,
    starts_on: date,
    due_on: date,
    weight: int = 1,
    step: PlanStep | None = None,
    owner_user: User | None = None,
    owner_label: str = "",
    kpi_app: str = "",
    kpi_figure: str = "",
    indicator: str = "",
    baseline: float | None = None,
    target: float | None = None,
) -> PlanTask:
    """A task under one of the plan's actions, owned by a place in the plan's area (and a person, unit or
    team); with ``kpi_app``/``kpi_figure`` and a target its progress follows that figure."""
    if not manages_plan.test(actor, plan):
        raise CommunityError.forbidden(_("You cannot change this plan."))
    if plan.status == PlanStatus.CLOSED:
        raise CommunityError.wrong_state(_("This plan is closed."))
    if action.plan_id != plan.pk or (step is not None and step.plan_id != plan.pk):
        raise CommunityError.invalid(_("Choose an action and a step of this plan."), field="action")
    if not node.path.startswith(plan.node.path):
        raise CommunityError.invalid(_("A task is owned by a place within the plan's area."), field="node")
    title = _text(title, field="title", limit=100, message=_("A task has a title of at most 100 characters."))
    owner_label = _text(
        owner_label, field="owner_label", limit=60, message=_("At most 60 characters."), required=False
    )
    indicator = _text(
        indicator, field="indicator", limit=60, message=_("At most 60 characters."), required=False
    )
    if owner_user is not None and (not owner_user.is_active or not works_at(owner_user, node)):
        raise CommunityError.invalid(
            _("The person named works at the task's place (or above or below it)."), field="owner_user"
        )
    first, last = date(plan.start_year, 1, 1), date(plan.end_year, 12, 31)
    if not (first <= starts_on <= due_on <= last):
        raise CommunityError.invalid(
            _("A task starts and ends within the plan's years, in that order."), field="due_on"
        )
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 100:
        raise CommunityError.invalid(_("A weight is a whole number from 1 to 100."), field="weight")
    if kpi_app or kpi_figure:
        if (kpi_app, kpi_figure) not in plan_figures(plan=plan, node=node, app=kpi_app or "-"):
            raise CommunityError.invalid(
                _("Bind the indicator to a figure the platform counts."), field="kpi_figure"
            )
        if (
            target is None
            or baseline is None
            or target == baseline
            or not all(abs(v) < FIGURE_LIMIT for v in (target, baseline))
        ):
            raise CommunityError.invalid(
                _("A bound indicator needs a baseline and a different target."), field="target"
            )
    elif baseline is not None or target is not None:
        raise CommunityError.invalid(
            _("A baseline and a target go with a figure to follow."), field="kpi_figure"
        )
    with transaction.atomic():
        # unscoped: the tasks of a plan the actor manages (locked so the count holds)
        Plan.objects.select_for_update().filter(pk=plan.pk).first()
        if plan.tasks.count() >= MAX_TASKS:
            raise CommunityError.invalid(_("A plan has at most 500 tasks."), field="title")
        task = PlanTask.objects.create(
            plan=plan,
            action=action,
            step=step,
            node=node,
            owner_user=owner_user,
            owner_label=owner_label,
            title=title,
            starts_on=starts_on,
            due_on=due_on,
            weight=weight,
            kpi_app=kpi_app,
            kpi_figure=kpi_figure,
            indicator=indicator,
            baseline=baseline,
            target=target,
        )
        _log(plan, actor, "add_task", title)
    if task.bound and plan.status == PlanStatus.ACTIVE:
        plan_indicators_refresh(plan=plan)
        task.refresh_from_db()
    return task


def task_update(*, actor: User, task: PlanTask, progress: int, evidence: str) -> PlanTask:
    """The task's owner reports its progress (0–100) with evidence; a bound indicator moves by itself."""
    if not updates_task.test(actor, task):
        raise CommunityError.forbidden(_("Only the task's owner updates it."))
    if task.plan.status != PlanStatus.ACTIVE:
        raise CommunityError.wrong_state(_("Progress is reported while the plan is under way."))
    if task.bound:
        raise CommunityError.conflict("bound", _("This task follows a platform figure and moves by itself."))
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        raise CommunityError.invalid(_("Progress is a whole number from 0 to 100."), field="progress")
    evidence = _text(
        evidence, field="evidence", limit=500, message=_("Say what was done (at most 500 characters).")
    )
    today = timezone.localdate()
    with transaction.atomic():
        # unscoped: a compare-and-set on the task fetched in scope
        moved = PlanTask.objects.filter(pk=task.pk, progress=task.progress).update(
            progress=progress, done_on=today if progress == 100 else None
        )
        if not moved:
            raise CommunityError.conflict(
                "conflict", _("Someone else updated this task just now; look again.")
            )
        TaskUpdate.objects.create(
            task=task, actor=actor, progress_from=task.progress, progress_to=progress, evidence=evidence
        )
    task.progress, task.done_on = progress, today if progress == 100 else None
    return task


def indicator_progress(*, baseline: float, target: float, measured: float) -> int:
    """How far the figure has gone from its baseline towards its target, in percent (0–100)."""
    share = (measured - baseline) / (target - baseline)
    return max(0, min(100, round(share * 100)))


def _plan_period(plan: Plan) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(date(plan.start_year, 1, 1), time(0), tz),
        datetime.combine(date(plan.end_year + 1, 1, 1), time(0), tz),
    )


def plan_indicators_refresh(*, plan: Plan) -> int:
    """Read each bound indicator's figure from its module's KPI provider (counted as the plan's author may
    count it, over the task's place and the plan's years) and move the task's progress. Returns how many
    tasks moved."""
    providers = kpi_providers()
    start, end = _plan_period(plan)
    moved = 0
    # unscoped: the plan's own bound tasks (the plan was fetched in scope, or by the system)
    for task in PlanTask.objects.filter(plan=plan).exclude(kpi_app="").select_related("node"):
        provider = providers.get(task.kpi_app)
        if provider is None or task.baseline is None or task.target is None:
            continue
        figures = provider(fetched_by=plan.created_by, node=task.node, start=start, end=end)["total"]
        value = figures.get(task.kpi_figure)
        if not isinstance(value, int | float):
            continue
        progress = indicator_progress(baseline=task.baseline, target=task.target, measured=float(value))
        now = timezone.now()
        with transaction.atomic():
            # unscoped: the bound task just read
            PlanTask.objects.filter(pk=task.pk).update(
                measured=float(value),
                measured_at=now,
                progress=progress,
                done_on=now.date() if progress == 100 else None,
            )
            if progress != task.progress:
                TaskUpdate.objects.create(
                    task=task,
                    actor=None,
                    progress_from=task.progress,
                    progress_to=progress,
                    evidence=f"{task.indicator or kpi_figure(task.kpi_app, task.kpi_figure).label} = {value:g}",
                )
                moved += 1
    return moved


def weighted_progress(tasks: list[PlanTask]) -> float | None:
    """The weighted mean of the tasks' progress (percent), or None without tasks."""
    weight = sum(t.weight for t in tasks)
    if not weight:
        return None
    return round(sum(t.weight * t.progress for t in tasks) / weight, 1)


@dataclass
class Reminded:
    tasks: int
    people: int


def late_tasks_remind(*, today: date | None = None) -> Reminded:
    """Tell the owners of late tasks (past due, not finished) of plans under way, once a week per task: the
    named person, else the casework staff of the owning place."""
    today = today or timezone.localdate()
    week_ago = today - timedelta(days=7)
    late = list(
        # unscoped: the reminder sweep runs as the system over every plan under way
        PlanTask.objects.filter(plan__status=PlanStatus.ACTIVE, due_on__lt=today, progress__lt=100)
        .exclude(reminded_on__gt=week_ago)
        .select_related("plan", "node", "owner_user")
    )
    people: set[int] = set()
    for task in late:
        if task.owner_user is not None:
            recipients = [task.owner_user]
        else:
            # unscoped: the managers bound at the task's place are whom to remind
            bindings = RoleBinding.objects.filter(node=task.node, role__in=MANAGER_ROLES).select_related(
                "user"
            )
            recipients = [b.user for b in bindings]
        notify(
            recipients=recipients,
            kind="plan_task_late",
            title=_("A task of %(plan)s is late: %(task)s") % {"plan": task.plan.title, "task": task.title},
            body=_("It was due on %(due)s and is at %(p)s%%.")
            % {"due": task.due_on.isoformat(), "p": task.progress},
            link=f"/community/plans/{task.plan_id}/",
            dedupe_key=f"plan-task-late:{task.pk}:{today.isoformat()}",
        )
        people.update(u.pk for u in recipients)
    # unscoped: the tasks just reminded
    PlanTask.objects.filter(pk__in=[t.pk for t in late]).update(reminded_on=today)
    return Reminded(tasks=len(late), people=len(people))
