"""Who is calling: the session cookie or a bearer token, CSRF for cookie writes, admin checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.routing import APIRoute

from lifeworld.accounts import sessions, tokens
from lifeworld.accounts.models import Session, User
from lifeworld.accounts.owner import InstanceOwner
from lifeworld.accounts.security import Security, same
from lifeworld.clock import clock
from lifeworld.db.scope import Scope
from lifeworld.db.session import ScopeDep, request_transaction
from lifeworld.errors import Forbidden, Unauthorized
from lifeworld.forwarding import client_address as client_address  # one resolution everywhere
from lifeworld.internals import dependant
from lifeworld.settings import Settings

SESSION_COOKIE = "lw_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_security(request: Request) -> Security:
    security: Security = request.app.state.security
    return security


SettingsDep = Annotated[Settings, Depends(get_settings)]
SecurityDep = Annotated[Security, Depends(get_security)]


@dataclass
class Principal:
    """The authenticated caller and how they proved it."""

    user: User
    session: Session | None  # None for bearer tokens

    @property
    def via_cookie(self) -> bool:
        return self.session is not None


async def _authenticate(
    request: Request, scope: ScopeDep, security: SecurityDep, settings: SettingsDep
) -> Principal:
    return await authenticate(request, scope, security, settings)


async def authenticate(
    request: Request, scope: Scope, security: Security, settings: Settings
) -> Principal:
    """The caller behind a Bearer token or the session cookie (CSRF checked for cookie writes).

    A read whose sign-in came from the database (not cached yet) ends that transaction here.
    Otherwise it would hold a pooled connection while it waits for a value another request is
    computing (single-flight), and that request may be waiting for a connection: with every
    connection held so, all of them waited out the pool's timeout and failed (the bench at 64
    connections). A write keeps one transaction: its `Idempotency-Key` hook began it.
    """
    principal = await _identify(request, scope, security, settings)
    if scope.session.in_transaction() and request.method in SAFE_METHODS:
        await scope.commit_reads()
    return principal


async def _identify(
    request: Request, scope: Scope, security: Security, settings: Settings
) -> Principal:
    now = clock.now()
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Use 'Authorization: Bearer <token>'.", code="invalid_token")
        user = await tokens.resolve_api_token(scope, security, token=token.strip(), now=now)
        if user is None:
            raise Unauthorized("This API token is not valid.", code="invalid_token")
        return Principal(user=user, session=None)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthorized("Sign in first.")
    resolved = await sessions.resolve_session(scope, security, settings, token=cookie, now=now)
    if resolved is None:
        raise Unauthorized("Your session has ended. Sign in again.", code="session_expired")
    user, sess = resolved
    if request.method not in SAFE_METHODS:
        origin = request.headers.get("origin")
        if origin and urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower():
            # A browser names the page a request comes from: another site's page never passes.
            raise Forbidden("A change from another site was refused.", code="csrf_failed")
        sent = request.headers.get(CSRF_HEADER) or request.state.__dict__.get("form_csrf")
        if not sent or not same(sent, sess.csrf_token):
            raise Forbidden(
                f"Missing or wrong {CSRF_HEADER} header for a cookie-authenticated change.",
                code="csrf_failed",
            )
    return Principal(user=user, session=sess)


PrincipalDep = Annotated[Principal, Depends(_authenticate)]


class SignedIn:
    """The request's transaction and its caller, for the busiest reads, without dependencies.

    The same as `scope: ScopeDep` with `user: CurrentUser`, but on a read served from caches
    FastAPI's dependency solving (three nested dependencies, a generator, an exit stack)
    cost more than the rest of the request together. Parameters are still declared on the
    handler.
    """

    __slots__ = ("_request", "_transaction")

    def __init__(self, request: Request) -> None:
        self._request = request
        self._transaction = request_transaction(request)

    async def __aenter__(self) -> tuple[Scope, Principal]:
        request, transaction = self._request, self._transaction
        scope = await transaction.__aenter__()
        try:
            app_state = request.app.state
            principal = await authenticate(request, scope, app_state.security, app_state.settings)
        except BaseException as exc:
            await transaction.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        return scope, principal

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        await self._transaction.__aexit__(exc_type, exc, tb)


E = TypeVar("E", bound=Callable[..., Any])
_SIGNS_IN = "__lifeworld_signs_in__"


def signs_in(endpoint: E) -> E:
    """Mark an endpoint that signs its caller in itself (`signed_in`), where no dependency says
    so: what needs a signed-in caller (the `Idempotency-Key` handling) asks `needs_sign_in`."""
    setattr(endpoint, _SIGNS_IN, True)
    return endpoint


def needs_sign_in(route: object) -> bool:
    """Whether a route's caller must be signed in: by a dependency, or by the endpoint itself."""
    if not isinstance(route, APIRoute):
        return False
    if getattr(route.endpoint, _SIGNS_IN, False):
        return True
    return _depends_on_sign_in(dependant(route))


def _depends_on_sign_in(solved: Any) -> bool:
    # Walked on each keyed request only: a few dozen nodes, cheaper than a cache keyed by route.
    return any(d.call is _authenticate or _depends_on_sign_in(d) for d in solved.dependencies)


def signed_in(request: Request) -> SignedIn:
    """`async with signed_in(request) as (scope, principal):` (see `SignedIn`)."""
    return SignedIn(request)


async def _current_user(principal: PrincipalDep) -> User:
    return principal.user


async def _admin_user(principal: PrincipalDep) -> User:
    if not principal.user.is_admin:
        raise Forbidden("Only the household admin can do this.", code="admin_only")
    return principal.user


def owner_only() -> Forbidden:
    return Forbidden(
        "Only the owner of this Life World OS (an admin of the household that set it up) "
        "can see the figures of the whole installation.",
        code="owner_only",
    )


async def _owner_user(
    request: Request, admin: Annotated[User, Depends(_admin_user)], scope: ScopeDep
) -> User:
    """A member is refused as for any admin's page (`admin_only`); another household's
    admin with `owner_only`."""
    owner: InstanceOwner = request.app.state.owner
    if not await owner.owns(scope, admin):
        raise owner_only()
    return admin


CurrentUser = Annotated[User, Depends(_current_user)]
AdminUser = Annotated[User, Depends(_admin_user)]
OwnerUser = Annotated[User, Depends(_owner_user)]
"""The instance owner (accounts/owner.py): instance-wide figures."""
