from gongzhi.core.errors import ServiceError


class DeliberationError(ServiceError):
    """A council, topic, meeting, vote or decision step that cannot be."""


class MediationError(DeliberationError):
    """A mediation case, or a step of one, that cannot be."""
