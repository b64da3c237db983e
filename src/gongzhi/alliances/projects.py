"""The project list (项目清单, 红色合伙人 projects): set up from an accepted match or directly, published for
claim, claimed (认领) by one or more units, worked through weighted milestones, finished, evaluated, and
rated by residents (群众评议, on the appeals' scale and within their rating window).

draft → open (publish) → claimed (claim: by units until the project's slots are full; a claim of a full
project is refused) → in progress (start) → done (finish: every milestone done) → evaluated (evaluate)."""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import User
from gongzhi.alliances import rules
from gongzhi.alliances.errors import AllianceError
from gongzhi.alliances.models import (
    FINISHED_PROJECT,
    Alliance,
    Match,
    Milestone,
    Project,
    ProjectCategory,
    ProjectEvent,
    ProjectRating,
    ProjectStatus,
    ProjectUnit,
    ProjectUnitRole,
    Unit,
)
from gongzhi.alliances.validation import _text
from gongzhi.appeals.models import Rating
from gongzhi.appeals.rules import rating_window
from gongzhi.core.rules import staff_at
from gongzhi.core.workflow import Required, Step, Transition, Workflow
from gongzhi.orgs.models import Node

S = ProjectStatus
NOTE = "note"

TRANSITIONS = [
    Transition("publish", {S.DRAFT}, S.OPEN, allowed=rules.staffs),
    Transition("claim", {S.OPEN}, None, allowed=rules.may_claim, fields=["unit"]),
    Transition("close_claims", {S.OPEN}, S.CLAIMED, allowed=rules.staffs),
    Transition("start", {S.CLAIMED}, S.IN_PROGRESS, allowed=rules.project_worker),
    Transition("finish", {S.IN_PROGRESS}, S.DONE, allowed=rules.project_worker),
    Transition(
        "evaluate",
        {S.DONE},
        S.EVALUATED,
        allowed=rules.staffs,
        fields=[Required(NOTE, gettext_lazy("Write the evaluation."), "note_required")],
    ),
    Transition(
        "cancel",
        {S.DRAFT, S.OPEN, S.CLAIMED},
        S.CANCELLED,
        allowed=rules.staffs,
        fields=[Required(NOTE, gettext_lazy("Say why the project is cancelled."), "note_required")],
    ),
]


class ProjectWorkflow(Workflow):
    model = Project
    event_model = ProjectEvent
    event_fk = "project"
    error = AllianceError
    transitions = TRANSITIONS
    note_length = 300
    actor_first = True
    conflict_message = gettext_lazy("Someone else changed this project just now; look again.")
    wrong_state_message = gettext_lazy("This project is no longer in a state that allows this.")

    def refuse_state(self, step: Step) -> AllianceError:
        if step.action == "claim" and step.from_status != S.DRAFT:
            return AllianceError.conflict("already_claimed", _("This project has been claimed already."))
        return super().refuse_state(step)  # type: ignore[return-value]

    def refuse_conflict(self, step: Step) -> AllianceError:
        if step.action == "claim":
            return AllianceError.conflict("already_claimed", _("This project has been claimed already."))
        return super().refuse_conflict(step)  # type: ignore[return-value]

    def prepare_claim(self, step: Step) -> None:
        project, unit = step.obj, step.payload["unit"]
        if not rules.acts_for_unit.test(step.actor, unit):
            raise AllianceError.forbidden(_("You do not act for this unit."))
        taken = project.units.count()
        if taken >= project.slots:
            raise AllianceError.conflict("already_claimed", _("This project has been claimed already."))
        step.target = S.CLAIMED if taken + 1 >= project.slots else S.OPEN
        step.memo["role"] = ProjectUnitRole.LEAD if taken == 0 else ProjectUnitRole.PARTNER
        step.note = unit.name

    def after_claim(self, step: Step) -> None:
        try:
            with transaction.atomic():
                ProjectUnit.objects.create(
                    project=step.obj, unit=step.payload["unit"], role=step.memo["role"], claimed_by=step.actor
                )
        except IntegrityError:
            raise AllianceError.conflict("already_on", _("Your unit is on this project already.")) from None

    def prepare_close_claims(self, step: Step) -> None:
        if not step.obj.units.exists():
            raise AllianceError.conflict("no_units", _("No unit has claimed this project yet."))

    def prepare_finish(self, step: Step) -> None:
        if project_progress(step.obj) < 100:
            raise AllianceError.conflict("milestones_open", _("Mark every milestone done first."))
        step.changes.update(done_at=step.now, progress=100)

    def prepare_evaluate(self, step: Step) -> None:
        step.changes["evaluation"] = step.note[:300]


PROJECT_WORKFLOW = ProjectWorkflow()


def project_transition(
    *, actor: User, project: Project, action: str, note: str = "", unit: Unit | None = None
) -> Project:
    result: Project = PROJECT_WORKFLOW.apply(actor=actor, obj=project, action=action, note=note, unit=unit)
    return result


def project_actions(*, user: User, project: Project) -> list[str]:
    return PROJECT_WORKFLOW.available(user, project)


def _milestones(items: list[tuple[str, int]] | None) -> list[tuple[str, int]]:
    out = []
    for title, weight in items or []:
        title = str(title or "").replace("\x00", "").strip()
        if not title or len(title) > 60:
            raise AllianceError.invalid(
                _("A milestone has a title of at most 60 characters."), field="milestones"
            )
        if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 100:
            raise AllianceError.invalid(_("A milestone's weight is 1 to 100."), field="milestones")
        out.append((title, weight))
    if len(out) > 20:
        raise AllianceError.invalid(_("At most 20 milestones."), field="milestones")
    return out


def project_create(
    *,
    actor: User,
    node: Node,
    name: str,
    category: ProjectCategory | None = None,
    alliance: Alliance | None = None,
    goal: str = "",
    place: str = "",
    beneficiaries: str = "",
    budget: int = 0,
    slots: int = 1,
    milestones: list[tuple[str, int]] | None = None,
    units: list[tuple[Unit, str]] | None = None,
    publish: bool = False,
    residents_reached: int = 0,
    need: Any = None,
    match: Match | None = None,
) -> Project:
    """Staff set up a project directly (units may be named at once, as lead or partner)."""
    if not staff_at.test(actor, node):
        raise AllianceError.forbidden(_("Only staff of this place set up its projects."))
    if not isinstance(slots, int) or isinstance(slots, bool) or not 1 <= slots <= 50:
        raise AllianceError.invalid(_("1 to 50 units may claim a project."), field="slots")
    if not isinstance(budget, int) or isinstance(budget, bool) or not 0 <= budget <= 100_000_000:
        raise AllianceError.invalid(_("The budget is 0 to 100,000,000 yuan."), field="budget")
    if category is not None and not node.path.startswith(category.node.path):
        raise AllianceError.invalid(_("Choose a category of this subdistrict."), field="category_id")
    steps = _milestones(milestones)
    named = units or []
    if len(named) > slots:
        slots = len(named)
    with transaction.atomic():
        project = Project.objects.create(
            node=node,
            alliance=alliance,
            category=category,
            name=_text(name, "name", 60, what=_("Give the project a name.")),
            goal=_text(goal, "goal", 500, required=False),
            place=_text(place, "place", 100, required=False),
            beneficiaries=_text(beneficiaries, "beneficiaries", 60, required=False),
            budget=budget,
            slots=slots,
            created_by=actor,
            residents_reached=residents_reached,
            need=need,
            match=match,
            status=S.DRAFT,
        )
        Milestone.objects.bulk_create(Milestone(project=project, title=t, weight=w) for t, w in steps)
        for unit, role in named:
            ProjectUnit.objects.create(project=project, unit=unit, role=role, claimed_by=None)
        ProjectEvent.objects.create(
            project=project, actor=actor, action="create", from_status="", to_status=S.DRAFT
        )
    if publish:
        project = project_transition(actor=actor, project=project, action="publish")
    return project


def project_from_match(*, actor: User, match: Match, name: str = "") -> Project:
    """An accepted match becomes a project at the need's place, open for claim (the resource's unit is the
    one the engine proposed; the project page says so)."""
    need = match.need
    return project_create(
        actor=actor,
        node=need.node,
        name=(name or need.title)[:60],
        goal=need.description,
        beneficiaries=need.beneficiaries,
        milestones=[(_("Prepare"), 1), (_("Deliver"), 2), (_("Report back"), 1)],
        publish=True,
        need=need,
        match=match,
    )


def milestone_done(*, actor: User, milestone: Milestone) -> Project:
    """A unit on the project (or staff) marks a milestone done; progress is the weighted mean."""
    project = milestone.project
    if not rules.project_worker.test(actor, project):
        raise AllianceError.forbidden(_("Only the project's units and staff mark milestones."))
    if project.status != S.IN_PROGRESS:
        raise AllianceError.wrong_state(_("Milestones are marked while the project is in progress."))
    with transaction.atomic():
        # unscoped: compare-and-set on the milestone of a project fetched in scope
        if (
            Milestone.objects.filter(pk=milestone.pk, done_at__isnull=True).update(
                done_at=timezone.now(), done_by=actor
            )
            != 1
        ):
            raise AllianceError.conflict("already_done", _("This milestone is done already."))
        progress = project_progress(project)
        Project.objects.filter(pk=project.pk).update(progress=progress)  # unscoped: the project in scope
        ProjectEvent.objects.create(
            project=project,
            actor=actor,
            action="milestone",
            from_status=project.status,
            to_status=project.status,
            note=milestone.title,
        )
    project.progress = progress
    return project


def project_progress(project: Project) -> int:
    """The weighted mean of the milestones (per cent, rounded down)."""
    rows = Milestone.objects.filter(project=project)  # unscoped: the milestones of a project in scope
    total = rows.aggregate(s=Sum("weight"))["s"] or 0
    done = rows.filter(done_at__isnull=False).aggregate(s=Sum("weight"))["s"] or 0
    return int(100 * done // total) if total else 100


def project_rate(*, actor: User, project: Project, rating: str, comment: str = "") -> ProjectRating:
    """A resident near a finished project rates it once, within the appeals' rating window."""
    if not rules.may_rate.test(actor, project):
        raise AllianceError.forbidden(_("Residents of this place rate its projects."))
    if project.status not in FINISHED_PROJECT:
        raise AllianceError.wrong_state(_("A project is rated once it is done."))
    if rating not in (Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED):
        raise AllianceError.invalid(
            _("Choose satisfied, basically satisfied or dissatisfied."), field="rating"
        )
    if project.done_at and timezone.now() > project.done_at + rating_window():
        raise AllianceError("rating_closed", _("The time to rate this project has passed."))
    comment = str(comment or "").replace("\x00", "").strip()
    if len(comment) > 500:
        raise AllianceError.invalid(_("At most %(n)d characters.") % {"n": 500}, field="comment")
    try:
        with transaction.atomic():
            return ProjectRating.objects.create(project=project, user=actor, rating=rating, comment=comment)
    except IntegrityError:
        raise AllianceError.conflict("already_rated", _("You have rated this project already.")) from None
