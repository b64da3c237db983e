"""The base of errors a service raises for a request that cannot be done: a stable ``code`` for API
clients and a ``message`` in the user's language."""


class ServiceError(Exception):
    def __init__(self, code: str, message) -> None:
        self.code = code
        self.message = message
        super().__init__(str(message))
