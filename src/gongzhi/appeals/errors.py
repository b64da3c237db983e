from gongzhi.core.errors import ServiceError


class AppealError(ServiceError):
    """A submission or transition of an appeal that cannot happen; ``code`` is stable for API clients."""
