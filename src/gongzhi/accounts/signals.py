"""A changed password or a deactivated account revokes all of the user's API tokens.

Kept on the model's save rather than in one service because passwords and the active flag change in
several places Gongzhi does not own (the admin's user and password forms, ``changepassword``, Django's
password reset): a security invariant must hold whichever of them saved the user. A token revoked this
way stays revoked when the account is activated again.
"""

from typing import Any

from django.db.models.signals import post_save, pre_save

from gongzhi.accounts.models import User


def _remember_credentials(
    sender: type[User], instance: User, update_fields: Any = None, **kwargs: Any
) -> None:
    instance._gongzhi_saved_credentials = None  # type: ignore[attr-defined]
    if instance.pk is None or (
        update_fields is not None and not {"password", "is_active"} & set(update_fields)
    ):
        return
    instance._gongzhi_saved_credentials = (  # type: ignore[attr-defined]
        sender.objects.filter(pk=instance.pk).values_list("password", "is_active").first()
    )


def _revoke_tokens_on_change(sender: type[User], instance: User, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_gongzhi_saved_credentials", None)
    if created or before is None:
        return
    from gongzhi.accounts.services import TokenRevoked, api_tokens_revoke_all

    password, was_active = before
    if password != instance.password:
        api_tokens_revoke_all(user=instance, reason=TokenRevoked.PASSWORD_CHANGED)
    elif was_active and not instance.is_active:
        api_tokens_revoke_all(user=instance, reason=TokenRevoked.DEACTIVATED)


def connect() -> None:
    pre_save.connect(_remember_credentials, sender=User, dispatch_uid="gongzhi-token-credentials")
    post_save.connect(_revoke_tokens_on_change, sender=User, dispatch_uid="gongzhi-token-revoke")
