"""HTTP routes of accounts and the household (API.md "Accounts and household")."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from lifeworld.accounts import households, schemas, sessions, tokens
from lifeworld.accounts.deps import (
    SESSION_COOKIE,
    AdminUser,
    CurrentUser,
    PrincipalDep,
    SecurityDep,
    SettingsDep,
    client_address,
)
from lifeworld.accounts.models import User
from lifeworld.accounts.security import Security
from lifeworld.accounts.sessions import NewSession
from lifeworld.clock import clock
from lifeworld.db.scope import Scope
from lifeworld.db.session import ScopeDep
from lifeworld.players import service as players
from lifeworld.schemas_common import IdPath
from lifeworld.settings import Settings

router = APIRouter(prefix="/api/v1", tags=["accounts"])


async def sign_in(
    request: Request,
    response: Response,
    scope: Scope,
    security: Security,
    settings: Settings,
    user: User,
) -> NewSession:
    """Open a fresh session for `user` and set its cookie (pages and the API alike).

    A session the browser still carried ends here: signing in again rotates, never piles up.
    """
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        await sessions.revoke_token(scope, security, token=previous)
    new = await sessions.start_session(
        scope,
        security,
        settings,
        user=user,
        now=clock.now(),
        user_agent=request.headers.get("user-agent"),
        address=client_address(request),
    )
    set_session_cookie(request, response, new)
    return new


def set_session_cookie(request: Request, response: Response, new: NewSession) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=int((new.expires_at - clock.now()).total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


@router.get("/setup", response_model=schemas.SetupNeededOut)
async def get_setup(scope: ScopeDep) -> schemas.SetupNeededOut:
    return schemas.SetupNeededOut(needed=await households.setup_needed(scope))


@router.post("/setup", status_code=status.HTTP_201_CREATED, response_model=schemas.SetupOut)
async def post_setup(
    body: schemas.SetupIn,
    request: Request,
    response: Response,
    scope: ScopeDep,
    security: SecurityDep,
    settings: SettingsDep,
) -> schemas.SetupOut:
    user, household = await households.setup_household(scope, security, **body.model_dump())
    await players.create_player(scope, user=user, now=clock.now())
    new = await sign_in(request, response, scope, security, settings, user)
    return schemas.SetupOut(
        user=schemas.UserOut.model_validate(user),
        household=schemas.HouseholdOut.model_validate(household),
        csrf_token=new.csrf_token,
    )


@router.post("/auth/login", response_model=schemas.SignedInOut)
async def login(
    body: schemas.LoginIn,
    request: Request,
    response: Response,
    scope: ScopeDep,
    security: SecurityDep,
    settings: SettingsDep,
) -> schemas.SignedInOut:
    now = clock.now()
    user = await sessions.authenticate(
        scope,
        security,
        settings,
        login=body.login,
        password=body.password,
        address=client_address(request),
        now=now,
    )
    new = await sign_in(request, response, scope, security, settings, user)
    return schemas.SignedInOut(user=schemas.UserOut.model_validate(user), csrf_token=new.csrf_token)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(principal: PrincipalDep, scope: ScopeDep) -> Response:
    if principal.session is not None:
        await sessions.revoke_session(scope, sess=principal.session)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/auth/csrf", response_model=schemas.CsrfOut)
async def csrf(principal: PrincipalDep) -> schemas.CsrfOut:
    if principal.session is None:
        return schemas.CsrfOut(csrf_token="")
    return schemas.CsrfOut(csrf_token=principal.session.csrf_token)


@router.post(
    "/auth/register", status_code=status.HTTP_201_CREATED, response_model=schemas.SignedInOut
)
async def register(
    body: schemas.RegisterIn,
    request: Request,
    response: Response,
    scope: ScopeDep,
    security: SecurityDep,
    settings: SettingsDep,
) -> schemas.SignedInOut:
    user = await households.register(
        scope,
        security,
        settings,
        address=client_address(request),
        now=clock.now(),
        **body.model_dump(),
    )
    await players.create_player(scope, user=user, now=clock.now())
    new = await sign_in(request, response, scope, security, settings, user)
    return schemas.SignedInOut(user=schemas.UserOut.model_validate(user), csrf_token=new.csrf_token)


@router.post("/auth/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(
    body: schemas.PasswordChangeIn,
    request: Request,
    user: CurrentUser,
    scope: ScopeDep,
    security: SecurityDep,
    settings: SettingsDep,
) -> Response:
    await sessions.change_password(
        scope,
        security,
        settings,
        user=user,
        address=client_address(request),
        now=clock.now(),
        **body.model_dump(),
    )
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/auth/password-reset", status_code=status.HTTP_204_NO_CONTENT)
async def use_password_reset(
    body: schemas.PasswordResetIn,
    request: Request,
    scope: ScopeDep,
    security: SecurityDep,
    settings: SettingsDep,
) -> Response:
    """Set a new password with the one-time link a household admin made; every session of
    the account is signed out. 422 `invalid_reset_link` when used, replaced or expired."""
    await sessions.use_password_reset(
        scope,
        security,
        settings,
        address=client_address(request),
        now=clock.now(),
        **body.model_dump(),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/auth/tokens", status_code=status.HTTP_201_CREATED, response_model=schemas.NewTokenOut
)
async def create_token(
    body: schemas.TokenIn, user: CurrentUser, scope: ScopeDep, security: SecurityDep
) -> schemas.NewTokenOut:
    row, token = await tokens.create_api_token(
        scope, security, user=user, name=body.name, now=clock.now()
    )
    return schemas.NewTokenOut(id=row.id, name=row.name, token=token, created_at=row.created_at)


@router.get("/auth/tokens", response_model=list[schemas.TokenOut])
async def list_tokens(user: CurrentUser, scope: ScopeDep) -> list[schemas.TokenOut]:
    return [
        schemas.TokenOut.model_validate(t) for t in await tokens.list_api_tokens(scope, user=user)
    ]


@router.delete("/auth/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_token(token_id: IdPath, user: CurrentUser, scope: ScopeDep) -> Response:
    await tokens.delete_api_token(scope, user=user, token_id=token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/household/invites", status_code=status.HTTP_201_CREATED, response_model=schemas.InviteOut
)
async def create_invite(
    request: Request,
    admin: AdminUser,
    scope: ScopeDep,
    security: SecurityDep,
    settings: SettingsDep,
) -> schemas.InviteOut:
    code, expires = await households.create_invite(
        scope, security, settings, admin=admin, now=clock.now()
    )
    return schemas.InviteOut(code=code, expires_at=expires, link=join_link(request, code))


def absolute(request: Request, path: str) -> str:
    """`path` on this app as the caller reached it (scheme and host)."""
    return str(request.base_url).rstrip("/") + path


def join_link(request: Request, code: str) -> str:
    """The join page with `code` filled in."""
    return absolute(request, f"/join?code={code}")


@router.get("/household/invites", response_model=list[schemas.PendingInviteOut])
async def list_invites(admin: AdminUser, scope: ScopeDep) -> list[schemas.PendingInviteOut]:
    """(admin) The household's pending invites, newest first."""
    pending = await households.pending_invites(scope, admin=admin, now=clock.now())
    return [schemas.PendingInviteOut.model_validate(p) for p in pending]


@router.delete("/household/invites/{invite_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_invite(invite_id: IdPath, admin: AdminUser, scope: ScopeDep) -> Response:
    """(admin) Revoke a pending invite: its code stops working (404 for another household's)."""
    await households.revoke_invite(scope, admin=admin, invite_id=invite_id, now=clock.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/household", response_model=schemas.HouseholdDetailOut)
async def household(user: CurrentUser, scope: ScopeDep) -> schemas.HouseholdDetailOut:
    return await players.household_detail(scope, user=user)


@router.patch("/household", response_model=schemas.HouseholdSettingsOut)
async def patch_household(
    body: schemas.HouseholdPatchIn, admin: AdminUser, scope: ScopeDep
) -> schemas.HouseholdSettingsOut:
    """The household admin's settings: the currency amounts are shown in (ISO 4217)."""
    code = await households.set_currency(scope, admin=admin, currency=body.currency)
    return schemas.HouseholdSettingsOut(currency=code)


@router.patch("/me", response_model=schemas.UserOut)
async def patch_me(body: schemas.MeIn, user: CurrentUser, scope: ScopeDep) -> schemas.UserOut:
    updated = await players.update_profile(scope, user=user, now=clock.now(), **body.model_dump())
    return schemas.UserOut.model_validate(updated)
