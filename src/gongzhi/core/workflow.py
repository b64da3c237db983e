"""One workflow engine for every state machine (appeals, mall orders, wishes, and the modules to come).

An app declares its machine as data and writes only what is its own:

    TRANSITIONS = [
        Transition("accept", {S.SUBMITTED}, S.ACCEPTED, allowed=handles),
        Transition("rate", {S.RESOLVED}, None, allowed=is_filer, fields=["rating"]),
    ]

    class AppealWorkflow(Workflow):
        model, event_model, event_fk, error = Appeal, AppealEvent, "appeal", AppealError
        transitions = TRANSITIONS

        def prepare_accept(self, step): step.changes["accepted_at"] = step.now   # per-action hook
        def tell(self, step): ...                                                 # notifications

``Workflow.apply`` is then the only code that moves an object between states. In order it:

1. finds the transition (``unknown_action``, 422) and checks that the object is in one of its source
   states (``wrong_state``, 409; ``refuse_state`` may answer otherwise);
2. checks that the required payload fields are given (422) and that the transition's ``allowed``
   predicate (a django-rules predicate over ``(actor, object)``; the actor is None for the system) holds
   (``forbidden``, 403) — with ``actor_first``, the actor before the state;
3. runs ``prepare_<action>(step)``: it validates the payload and fills ``step.changes`` (fields to set),
   ``step.detail`` (kept on the event row) and, where the table leaves it open, ``step.target``;
4. in one transaction: ``lock(step)`` (rows the app must lock first, in its lock order), the
   compare-and-set ``UPDATE … WHERE pk = … AND status = <from> [AND version = <v>]`` (``conflict``, 409,
   when another request got there first), ``after_<action>(step)``, the append-only event row (the
   object's audit trail; with ``audit = True`` also the central audit log) and ``tell(step)``, whose
   messages go into the outbox in the same transaction and are delivered after commit.

Why not django-fsm(-2) or viewflow: both keep the machine on the model (decorated model methods, a
protected state field) and save the whole instance; we keep models free of workflows, need the
compare-and-set on ``version`` as a single conditional UPDATE, an event row per step and the same hooks
for every app. The engine is this one file.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import ServiceError

Predicate = Callable[..., Any]  # a django-rules predicate (or any callable) taking (actor, object)
REQUIRED = _("This field is required.")


@dataclass(frozen=True)
class Required:
    """A payload field a transition cannot do without, and what to say when it is missing."""

    name: str
    message: Any = REQUIRED
    code: str = "invalid"
    label: Any = None  # what the field is called on the page, to say which one is missing

    def refusal(self) -> str:
        if self.label is None:
            return str(self.message)
        return _("%(label)s: %(message)s") % {"label": self.label, "message": self.message}


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the object keeps its state, or the prepare hook decides (step.target)
    allowed: Predicate
    fields: tuple[Required, ...] = ()
    public: bool = True  # shown on the timeline of those the object is about (appeals: the resident)

    def __init__(
        self,
        name: str,
        sources: Iterable[str],
        target: str | None,
        *,
        allowed: Predicate,
        fields: Iterable[str | Required] = (),
        public: bool = True,
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "allowed", allowed)
        object.__setattr__(
            self, "fields", tuple(f if isinstance(f, Required) else Required(f) for f in fields)
        )
        object.__setattr__(self, "public", public)

    def permits(self, actor: Any, obj: Any) -> bool:
        test = getattr(self.allowed, "test", None)
        return bool(test(actor, obj) if test is not None else self.allowed(actor, obj))


@dataclass
class Step:
    """One transition being applied: what the hooks read and fill in."""

    transition: Transition
    actor: Any
    obj: Any
    payload: dict[str, Any]
    now: datetime
    from_status: str
    target: str
    note: str = ""
    changes: dict[str, Any] = field(default_factory=dict)  # fields to set with the new state
    detail: dict[str, Any] = field(default_factory=dict)  # kept on the event row and in the audit record
    memo: dict[str, Any] = field(default_factory=dict)  # the app's own notes between its hooks

    @property
    def action(self) -> str:
        return self.transition.name


class Workflow:
    """Subclass per state machine; set the class attributes, write ``prepare_<action>`` hooks as needed."""

    model: ClassVar[type[models.Model]]
    event_model: ClassVar[type[models.Model]]
    event_fk: ClassVar[str]  # the event row's foreign key to the object
    error: ClassVar[type[ServiceError]]
    transitions: ClassVar[Iterable[Transition]]
    status_field: ClassVar[str] = "status"
    version_field: ClassVar[str | None] = "version"  # None: compare-and-set on the status alone
    note_length: ClassVar[int] = 5000
    # The event row is each object's audit trail (who, when, from, to, note, detail). ``audit = True`` also
    # writes every step to the central audit log (core.AuditEvent), one more insert per step: for
    # workflows over personal data, whose steps oversight must find by person across modules.
    audit: ClassVar[bool] = False
    # Whom to refuse first: by default a request in the wrong state hears "wrong state" whoever sends it
    # (the object's state is no secret to those who can see it); with actor_first, someone who may not
    # take the action hears "forbidden" before anything about the state.
    actor_first: ClassVar[bool] = False
    conflict_message: ClassVar[Any] = _("Someone else changed this just now. Reload and try again.")
    wrong_state_message: ClassVar[Any] = _("This cannot be done in the current state.")

    def __init__(self) -> None:
        self.table: dict[str, Transition] = {t.name: t for t in self.transitions}

    # --- reading the table -------------------------------------------------------------------------

    def __getitem__(self, action: str) -> Transition:
        return self.table[action]

    def available(self, actor: Any, obj: Any) -> list[str]:
        """The actions ``actor`` may take on ``obj`` now, in table order (for buttons and the API)."""
        state = getattr(obj, self.status_field)
        return [t.name for t in self.table.values() if state in t.sources and t.permits(actor, obj)]

    # --- hooks (override as needed) --------------------------------------------------------------------

    def text(self, step: Step, name: str, limit: int) -> str:
        """The payload's ``name`` as text, stripped; longer than ``limit`` is refused (422), never cut."""
        value = str(step.payload.get(name) or "").strip()
        if len(value) > limit:
            raise self.error.invalid(_too_long(limit, len(value)), field=name)
        return value

    def begin(self, step: Step) -> None:
        """Note what later hooks need to know of the object as it was (before any check)."""

    def refuse_state(self, step: Step) -> ServiceError:
        return self.error.wrong_state(self.wrong_state_message)

    def refuse_conflict(self, step: Step) -> ServiceError:
        return self.error.conflict("conflict", self.conflict_message)

    def forbidden_message(self, step: Step) -> Any:
        return None

    def lock(self, step: Step) -> None:
        """Lock what must be locked before the object's row (inside the transaction)."""

    def event_fields(self, step: Step) -> dict[str, Any]:
        """Extra fields of the event row beyond object, actor, action, from/to status and note."""
        return {}

    def audit_node(self, obj: Any) -> Any:
        return getattr(obj, "node", None)

    def tell(self, step: Step) -> None:
        """Queue the messages this step sends (inside the transaction; delivered after commit)."""

    # --- the engine ------------------------------------------------------------------------------------

    def apply(self, *, actor: Any, obj: Any, action: str, **payload: Any) -> Any:
        transition = self.table.get(action)
        if transition is None:
            raise self.error("unknown_action", _("Unknown action."))
        state = getattr(obj, self.status_field)
        note = str(payload.get("note") or "").strip()
        if len(note) > self.note_length:
            raise self.error.invalid(_too_long(self.note_length, len(note)), field="note")
        step = Step(
            transition=transition,
            actor=actor,
            obj=obj,
            payload=payload,
            now=timezone.now(),
            from_status=state,
            target=transition.target or state,
            note=note,
        )
        self.begin(step)
        if self.actor_first:
            self._check_actor(step)
        if state not in transition.sources:
            raise self.refuse_state(step)
        for needed in transition.fields:
            value = payload.get(needed.name)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise self.error.invalid(needed.refusal(), field=needed.name, code=needed.code)
        if not self.actor_first:
            self._check_actor(step)
        prepare = getattr(self, f"prepare_{action}", None)
        if prepare is not None:
            prepare(step)
        # The caller's copy as it is (without touching relations, which would query).
        saved, saved_related = dict(obj.__dict__), dict(obj._state.fields_cache)
        try:
            self._run(step)
        except BaseException:
            # The step did not happen (its transaction rolled back): the caller's copy is as it was.
            obj.__dict__.clear()
            obj.__dict__.update(saved)
            obj._state.fields_cache = saved_related
            raise
        return obj

    def _run(self, step: Step) -> None:
        obj, actor, action = step.obj, step.actor, step.action
        with transaction.atomic():
            self.lock(step)
            self._compare_and_set(step)
            after = getattr(self, f"after_{action}", None)
            if after is not None:
                after(step)
            self.event_model._default_manager.create(  # unscoped: the history of an object just moved
                **{self.event_fk: obj},
                actor=actor,
                action=action,
                from_status=step.from_status,
                to_status=step.target,
                note=step.note,
                **self.event_fields(step),
            )
            if self.audit:
                audit_record(
                    actor=actor,
                    action=f"{self.model._meta.model_name}.{action}",
                    target=obj,
                    node=self.audit_node(obj),
                    **({"from": step.from_status, "to": step.target} | step.detail),
                )
            self.tell(step)

    def _check_actor(self, step: Step) -> None:
        if not step.transition.permits(step.actor, step.obj):
            raise self.error.forbidden(self.forbidden_message(step))

    def _compare_and_set(self, step: Step) -> None:
        obj = step.obj
        match: dict[str, Any] = {"pk": obj.pk, self.status_field: step.from_status}
        values: dict[str, Any] = {self.status_field: step.target, **step.changes}
        if self.version_field is not None:
            version = getattr(obj, self.version_field)
            match[self.version_field] = version
            values[self.version_field] = version + 1
        # unscoped: a compare-and-set on the row the caller fetched through a scoped selector
        if self.model._default_manager.filter(**match).update(**values) != 1:
            raise self.refuse_conflict(step)
        # The compare-and-set succeeded, so the row is what we had plus these values.
        for name, value in values.items():
            setattr(obj, name, value)


def _too_long(limit: int, length: int) -> str:
    return _("At most %(limit)d characters; this has %(length)d.") % {"limit": limit, "length": length}
