"""Neighbours and an appeal open to them: support ("me too", one per person, withdrawable, counted in
``support_up`` which feeds hot issues) and following it (hearing how it goes)."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.models import Appeal, AppealSubscription, AppealSupport
from gongzhi.appeals.rules import handles, is_assignee, is_filer, may_support


@transaction.atomic
def appeal_support(*, actor: User, appeal: Appeal) -> bool:
    """Add the actor's support; True when it was new (a second tap changes nothing). Supporters hear how
    the appeal goes too."""
    if not may_support.test(actor, appeal):
        if is_filer.test(actor, appeal):
            raise AppealError.invalid(_("This is your own appeal."), code="own_appeal")
        if not appeal.is_open:
            raise AppealError.wrong_state(_("This appeal is no longer open."))
        raise AppealError.forbidden(_("Only neighbours in this compound can support its appeals."))
    try:
        with transaction.atomic():
            AppealSupport.objects.create(appeal=appeal, user=actor)
    except IntegrityError:
        return False
    # unscoped: the count of the appeal the caller read in scope
    Appeal.objects.filter(pk=appeal.pk).update(support_up=F("support_up") + 1)
    AppealSubscription.objects.get_or_create(appeal=appeal, user=actor)
    appeal.support_up += 1
    return True


@transaction.atomic
def appeal_unsupport(*, actor: User, appeal: Appeal) -> bool:
    """Withdraw the actor's support; True when there was one."""
    deleted, _rows = AppealSupport.objects.filter(appeal=appeal, user=actor).delete()
    if not deleted:
        return False
    # unscoped: the count of the appeal the caller read in scope
    Appeal.objects.filter(pk=appeal.pk).update(support_up=Greatest(F("support_up") - 1, 0))
    appeal.support_up = max(appeal.support_up - 1, 0)
    return True


def may_follow(user: User, appeal: Appeal) -> bool:
    """Anyone who may read an appeal other than its filer, its handlers and the party it is assigned to
    (who hear anyway)."""
    return not (is_filer.test(user, appeal) or handles.test(user, appeal) or is_assignee.test(user, appeal))


@transaction.atomic
def appeal_follow(*, actor: User, appeal: Appeal, on: bool) -> bool:
    """Start (``on``) or stop hearing how the appeal goes; returns whether the actor now follows it."""
    if not may_follow(actor, appeal):
        raise AppealError.invalid(_("You hear about this appeal already."), code="already_told")
    if on:
        AppealSubscription.objects.get_or_create(appeal=appeal, user=actor)
    else:
        AppealSubscription.objects.filter(appeal=appeal, user=actor).delete()
    return on
