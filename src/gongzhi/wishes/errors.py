from gongzhi.core.errors import ServiceError


class WishError(ServiceError):
    """A wish, or a step of one, that cannot be."""
