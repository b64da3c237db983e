"""Bearer tokens for the JSON API (``Authorization: Bearer gz_…``); ``request.auth`` is the token's row."""

from ninja.security import HttpBearer

from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.services import api_token_find


class BearerToken(HttpBearer):
    def authenticate(self, request, token) -> ApiToken | None:
        row = api_token_find(token)
        if row is not None:
            request.user = row.user
        return row
