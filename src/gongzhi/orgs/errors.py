from gongzhi.core.errors import ServiceError


class OrgsError(ServiceError):
    """A change to the tree or the party organisations that cannot be done."""
