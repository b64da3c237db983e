"""API authentication: Bearer tokens for programs, the session cookie for the web UI's own calls."""

from ninja.security import SessionAuth

from gongzhi.accounts.auth import BearerToken

api_auth = [BearerToken(), SessionAuth()]
