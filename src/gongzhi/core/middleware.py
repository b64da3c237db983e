"""Site-wide middleware.

- Chinese unless the user chose otherwise: the language comes from the switch's cookie, not Accept-Language
  (many officials' desktops run an English browser; the site should still open in Chinese for them).
- No control characters in what pages read.
"""

from contextlib import suppress

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import QueryDict
from django.utils import translation
from django.utils.cache import patch_vary_headers

from gongzhi.core.text import has_control_characters, strip_control_characters


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response


class ControlCharactersMiddleware:
    """Strip control characters (``core.text``) from every query string and form before any view reads them,
    so no page stores one. JSON bodies are the API's parser's to refuse, field by field; a text part of a
    path is each view's to parse (an id, a code), and answers that view's own 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _stripped(request.GET)
        # too large or malformed: the view's own reading of it refuses the request
        if request.method == "POST":
            with suppress(SuspiciousOperation):
                request.POST = _stripped(request.POST)
        return self.get_response(request)


def _stripped(data: QueryDict) -> QueryDict:
    if not any(has_control_characters(k) or any(map(has_control_characters, v)) for k, v in data.lists()):
        return data
    clean = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        clean.setlist(strip_control_characters(key), [strip_control_characters(v) for v in values])
    clean._mutable = False
    return clean
