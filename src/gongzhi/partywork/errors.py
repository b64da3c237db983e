from gongzhi.core.errors import ServiceError


class PartyError(ServiceError):
    """A step of party organisation work (ratings, member points, funds, training) that cannot be."""
