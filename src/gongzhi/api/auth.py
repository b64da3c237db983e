"""API authentication: Bearer tokens for programs, the session cookie for the web UI's own calls."""

from ninja.security import HttpBearer, SessionAuth

from gongzhi.accounts.services import api_token_user


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


api_auth = [BearerToken(), SessionAuth()]
