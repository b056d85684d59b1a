"""`lifeworld user …` and `lifeworld household …`: what the operator does for a household."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from pydantic import ValidationError
from rich.table import Table

from lifeworld.accounts import households, sessions
from lifeworld.accounts.models import User
from lifeworld.accounts.schemas import SetupIn
from lifeworld.accounts.security import Security
from lifeworld.cache.factory import build_cache
from lifeworld.cli.common import console, fail, ready_database, settings_or_exit
from lifeworld.clock import clock
from lifeworld.db.scope import Scope
from lifeworld.db.session import create_database, new_scope
from lifeworld.errors import Conflict, InvalidField
from lifeworld.players.service import create_player

app = typer.Typer(
    help="Accounts: list, reset a password, unlock a sign-in, make an admin.", no_args_is_help=True
)
household_app = typer.Typer(help="Households on this instance.", no_args_is_help=True)
T = TypeVar("T")

MIN_PASSWORD = 10


def _in_transaction(work: Callable[[Scope, Security], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction against the configured database."""
    settings = settings_or_exit()
    url, embedded, started = ready_database(settings)
    security = Security.from_settings(settings)

    async def go() -> T:
        db = create_database(url, pool_size=1, max_overflow=0)
        # Running app instances remember sign-ins for a minute: a revoked session or a changed
        # password must reach them at once, so the change is broadcast after the commit.
        cache = build_cache(settings, url)
        await cache.start()
        try:
            async with db.sessionmaker() as session:
                scope = new_scope(db, session, cache)
                try:
                    result = await work(scope, security)
                except BaseException:
                    await scope.rollback()
                    raise
                await scope.commit()
                return result
        finally:
            await cache.close()
            await db.dispose()

    try:
        return asyncio.run(go())
    finally:
        if started and embedded is not None:
            embedded.stop()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    if not MIN_PASSWORD <= len(password) <= 256:
        fail(f"a password needs {MIN_PASSWORD} to 256 characters")
    return password


async def _user_or_fail(scope: Scope, login: str) -> User:
    user = await households.find_user(scope, login=login)
    if user is None:
        fail(f"there is no user {login!r} (try: lifeworld user list)")
    return user


@app.command("list")
def list_users() -> None:
    """Every user with their household, admin flag and timezone."""
    rows = _in_transaction(lambda scope, _: households.list_users(scope))
    table = Table("household", "user", "email", "admin", "timezone")
    for user, household in rows:
        admin = "yes" if user.is_admin else ""
        table.add_row(household.name, user.username, user.email, admin, user.timezone)
    console.print(table)


@app.command("reset-password")
def reset_password(
    username: str = typer.Argument(..., help="Username or email."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read it from stdin."),
) -> None:
    """Set a new password for someone locked out: clears their throttling, signs out sessions."""
    password = _read_password(password_stdin)

    async def work(scope: Scope, security: Security) -> int:
        user = await _user_or_fail(scope, username)
        await sessions.unlock_account(scope, user=user)
        return await sessions.reset_password(
            scope, security, user=user, new_password=password, now=clock.now()
        )

    revoked = _in_transaction(work)
    console.print(f"[green]✓[/] password changed for {username}; {revoked} session(s) signed out")


@app.command()
def unlock(username: str = typer.Argument(..., help="Username or email.")) -> None:
    """Clear the failed sign-ins that throttle this account (and its addresses)."""

    async def work(scope: Scope, _: Security) -> int:
        return await sessions.unlock_account(scope, user=await _user_or_fail(scope, username))

    cleared = _in_transaction(work)
    console.print(f"[green]✓[/] {username} can sign in again ({cleared} failed attempt(s) cleared)")


@app.command()
def admin(
    username: str = typer.Argument(..., help="Username or email."),
    remove: bool = typer.Option(False, "--remove", help="Take the admin role away instead."),
) -> None:
    """Make someone an admin of their household (invites, the Admin and System pages)."""

    async def work(scope: Scope, _: Security) -> bool:
        user = await _user_or_fail(scope, username)
        return await households.set_admin(scope, user=user, admin=not remove)

    try:
        changed = _in_transaction(work)
    except Conflict as exc:
        fail(exc.message)
    if changed:
        console.print(f"[green]✓[/] {username} is {'no longer' if remove else 'now'} an admin")
    else:
        state = "is not" if remove else "is already"
        console.print(f"{username} {state} an admin: nothing changed")


@household_app.command("create")
def create_household(
    name: str = typer.Argument(..., help="The household's name."),
    admin: str = typer.Option(..., "--admin", help="Username of its admin."),
    email: str = typer.Option(..., "--email", help="The admin's email."),
    timezone: str = typer.Option("UTC", "--timezone", help="IANA timezone, e.g. Europe/London."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read it from stdin."),
) -> None:
    """Add another household, with its admin, to this instance."""
    password = _read_password(password_stdin)
    try:
        fields = SetupIn(
            household_name=name, timezone=timezone, username=admin, email=email, password=password
        )
    except ValidationError as exc:
        fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))

    async def work(scope: Scope, security: Security) -> int:
        user, household = await households.create_household(
            scope,
            security,
            name=fields.household_name,
            timezone=fields.timezone,
            username=fields.username,
            email=fields.email,
            password=fields.password,
        )
        await create_player(scope, user=user, now=clock.now())
        return household.id

    try:
        household_id = _in_transaction(work)
    except InvalidField as exc:
        fail(exc.message)
    console.print(f"[green]✓[/] household {name!r} created (id {household_id}), admin {admin}")
