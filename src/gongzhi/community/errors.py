from gongzhi.core.errors import ServiceError


class CommunityError(ServiceError):
    """A community type, action plan, service or service order, or a step of one, that cannot be."""
