from gongzhi.core.errors import ServiceError


class AllianceError(ServiceError):
    """An alliance, unit, list entry, match, project or donation, or a step of one, that cannot be."""
