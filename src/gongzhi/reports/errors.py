from gongzhi.core.errors import ServiceError


class ReportError(ServiceError):
    """A report that cannot be made or fetched."""
