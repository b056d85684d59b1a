"""`lifeworld cache …`: what the shared cache holds, clearing it, sweeping expired rows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from lifeworld.cache import Cache
from lifeworld.cache.factory import build_cache
from lifeworld.cli.common import console, fail, ready_database, settings_or_exit

app = typer.Typer(help="The cache: statistics, clearing, sweeping.", no_args_is_help=True)
T = TypeVar("T")


def _run(action: Callable[[Cache], Awaitable[T]]) -> T:
    settings = settings_or_exit()
    url, _, _ = ready_database(settings)
    cache = build_cache(settings, url)

    async def go() -> T:
        try:
            return await action(cache)
        finally:
            await cache.close()

    try:
        return asyncio.run(go())
    except OSError as exc:
        fail(f"cannot reach the cache: {exc}")


@app.command()
def stats() -> None:
    """Show the backend, the PostgreSQL table's rows and bytes, and Redis's keys (hybrid)."""

    async def collect(cache: Cache) -> None:
        console.print(f"backend: {cache.backend}")
        if cache.postgres is not None:
            rows, size = await cache.postgres.count()
            console.print(f"postgres: {rows} rows, {size} bytes (expired rows included)")
        if cache.redis is not None:
            keys = 0
            async for _ in cache.redis.client.scan_iter(match=cache.redis.prefix + "*"):
                keys += 1
            console.print(f"redis: {keys} keys under {cache.redis.prefix!r}")

    _run(collect)


@app.command()
def clear(
    namespace: str = typer.Option(None, help="Only this namespace (e.g. place)."),
) -> None:
    """Drop cached entries everywhere (every running instance drops its memory copies too)."""

    async def wipe(cache: Cache) -> int:
        ns = cache.namespace(namespace, ttl=60) if namespace else None
        return await cache.clear(namespace=ns)

    console.print(f"cleared {_run(wipe)} entries")


@app.command()
def sweep() -> None:
    """Delete expired rows from the PostgreSQL tier now (the server also does it periodically)."""
    console.print(f"swept {_run(lambda cache: cache.sweep())} expired rows")
