"""API tokens: named bearer tokens for scripts, shown once, remembered as digests."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from lifeworld.accounts import auth_cache
from lifeworld.accounts.models import ApiToken, User
from lifeworld.accounts.security import Security, new_token
from lifeworld.db.scope import Scope
from lifeworld.errors import NotFound

TOKEN_PREFIX = "lw_"


async def create_api_token(
    scope: Scope, security: Security, *, user: User, name: str, now: datetime
) -> tuple[ApiToken, str]:
    """A named bearer token for scripts; the secret is returned only here."""
    token = new_token(TOKEN_PREFIX)
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_digest=security.digest(token),
        prefix=token[:10],
        created_at=now,
    )
    scope.session.add(row)
    await scope.session.flush()
    return row, token


async def list_api_tokens(scope: Scope, *, user: User) -> list[ApiToken]:
    rows = await scope.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    )
    return list(rows)


async def delete_api_token(scope: Scope, *, user: User, token_id: int) -> None:
    result = await scope.session.execute(
        delete(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user.id)
        .returning(ApiToken.token_digest)
    )
    digest = result.scalar_one_or_none()
    if digest is None:
        raise NotFound("No such API token.")
    auth_cache.forget_key(scope, auth_cache.token_key(digest))


async def revoke_all_api_tokens(scope: Scope, *, user_id: int) -> int:
    """Delete every API token of the user; their cached sign-ins go everywhere after commit."""
    result = await scope.session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
    auth_cache.forget_user(scope, user_id)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def resolve_api_token(
    scope: Scope, security: Security, *, token: str, now: datetime
) -> User | None:
    digest = security.digest(token)
    key = auth_cache.token_key(digest)
    cached = await auth_cache.recall(scope, key)
    if cached is not None:
        return cached[0]
    row = (
        await scope.session.execute(
            select(User, ApiToken)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_digest == digest)
        )
    ).first()
    if row is None:
        return None
    user, api_token = row
    if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=5):
        api_token.last_used_at = now
    await auth_cache.remember(scope, key, user, None)
    return user
