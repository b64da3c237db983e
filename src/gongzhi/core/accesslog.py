"""Access logs that never hold a credential.

Open311 clients may send their key as ``?api_key=`` (the spec's way), and anyone may paste a token into a
URL. ``scrub`` removes both from a logged line: the value of any ``api_key``, ``token``, ``access_token``
or ``key`` parameter, and anything shaped like a Gongzhi token (``gz_…``) wherever it appears.

- gunicorn: ``--logger-class gongzhi.core.accesslog.GunicornLogger`` (``gongzhi demo`` and the unit in
  docs/deploy.md pass it) scrubs every atom of the access log format, and logs credential headers
  (``Authorization``, ``X-Api-Key``, ``Cookie``) as ``-`` if a format asks for them;
- ``gongzhi runserver``: the ``django.server`` logger goes through ``ScrubCredentials`` (settings.LOGGING).
"""

import logging
import re
from typing import Any

REMOVED = "[removed]"
_PARAM = re.compile(r"(?i)((?:^|[?&;\s])(?:api_key|access_token|token|key)=)[^&;\s\"']*")
_TOKEN = re.compile(r"gz_[A-Za-z0-9_\-]+")
_SECRET_HEADERS = ("authorization", "x-api-key", "cookie", "proxy-authorization")


def scrub(text: str) -> str:
    return _TOKEN.sub("gz_" + REMOVED, _PARAM.sub(r"\1" + REMOVED, text))


def _is_secret_header(atom: str) -> bool:
    """``{authorization}i`` (a request header) or ``{http_authorization}e`` (its WSGI variable)."""
    if atom.startswith("{") and atom.endswith("}i"):
        return atom[1:-2].lower() in _SECRET_HEADERS
    if atom.startswith("{http_") and atom.endswith("}e"):
        return atom[6:-2].lower().replace("_", "-") in _SECRET_HEADERS
    return False


class ScrubCredentials(logging.Filter):
    """A logging filter that scrubs a record's message and arguments (for ``django.server``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(scrub(a) if isinstance(a, str) else a for a in record.args)
        return True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is a dependency; this keeps the filter importable alone
    _GunicornLogger = object  # type: ignore[assignment,misc]


class GunicornLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """gunicorn's logger with every access-log atom scrubbed."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():
            if _is_secret_header(name):
                atoms[name] = "-"
            elif isinstance(value, str):
                atoms[name] = scrub(value)
        return atoms
