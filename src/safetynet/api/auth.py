"""Bearer-token authentication and the endpoint that issues tokens."""

from __future__ import annotations

from ninja import Router
from ninja.security import HttpBearer

from safetynet.accounts.clients import client_address
from safetynet.accounts.services import issue_token, sign_in, user_for_token
from safetynet.api.schemas import ErrorOut, TokenIn, TokenOut


def client_of(request) -> str:
    """The caller's address as the audit trail records it (see accounts.clients)."""
    return client_address(request)


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; the acting user becomes `request.auth` (and `request.user`)."""

    def authenticate(self, request, token: str):
        user = user_for_token(token.strip())
        if user is not None:
            request.user = user
        return user


router = Router(tags=["auth"])


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
    summary="用户名和密码换取访问令牌",
)
def obtain_token(request, payload: TokenIn):
    """Repeated failures are throttled (429); every attempt is audited."""
    user = sign_in(
        username=payload.username, password=payload.password, client=client_of(request), channel="api"
    )
    return {"token": issue_token(user=user)}
