from gongzhi.core.errors import ServiceError


class VolunteeringError(ServiceError):
    """A team, activity, sign-up or check-in change that cannot happen."""
