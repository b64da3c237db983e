from gongzhi.core.errors import ServiceError


class CockpitError(ServiceError):
    """A cockpit that cannot be shown (a period out of range, a node out of reach)."""
