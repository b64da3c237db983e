"""The filer's phone for the people working on an appeal: shown masked, revealed in full one at a time,
each reveal written to the audit log (as in the residents' register)."""

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.models import Appeal, Channel
from gongzhi.appeals.rules import sees_contact
from gongzhi.core.audit import audit_record

SELF_FILED = (Channel.WEB, Channel.API, Channel.OPEN311)


def filer_phone(appeal: Appeal) -> str:
    """The filer's full number: their register entry's, or (filed by themself) their account's."""
    resident, submitter = appeal.resident, appeal.submitted_by
    if resident is not None and resident.phone_cipher:
        return resident.decrypt_phone()
    if submitter is not None and appeal.channel in SELF_FILED:
        return submitter.decrypt_phone()
    return ""


@transaction.atomic
def appeal_contact_reveal(*, actor: User, appeal: Appeal, request: HttpRequest | None = None) -> str:
    """The filer's full phone for a handler at the appeal's tier or the party it is assigned to; audited."""
    if not sees_contact.test(actor, appeal):
        raise AppealError.forbidden(_("Only the people working on this appeal can call the resident."))
    phone = filer_phone(appeal)
    if not phone:
        raise AppealError.conflict("no_phone", _("The resident left no phone number."))
    audit_record(actor=actor, action="appeal.reveal.phone", target=appeal, node=appeal.node, request=request)
    return phone
