from gongzhi.core.errors import ServiceError


class VenueError(ServiceError):
    """A venue, booking, service or plan that cannot be."""
