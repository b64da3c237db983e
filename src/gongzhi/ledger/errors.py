from gongzhi.core.errors import ServiceError


class LedgerError(ServiceError):
    """A movement of points that cannot happen (unbalanced, insufficient, key reused …)."""


class MallError(LedgerError):
    """An order or item change that cannot happen (sold out, over the limit, wrong state …)."""
