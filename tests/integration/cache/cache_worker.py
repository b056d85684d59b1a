"""A separate process holding its own Cache with real listeners, driven over stdin/stdout.

Commands (one per line): `state <id>` reads a player's version through a memory-only namespace
(computed from the test_versions table on a miss); `has <id>` says whether that copy is in
memory; `compute <key> <n>` runs n concurrent cross-process get_or_compute calls whose compute
bumps test_counter; `quit`.
"""

from __future__ import annotations

import asyncio
import sys

import psycopg

from lifeworld.cache.factory import build_cache
from lifeworld.settings import Settings


async def main(mode: str, url: str, redis_url: str, prefix: str) -> None:
    settings = Settings(  # type: ignore[arg-type]
        env="test", cache=mode, redis_url=redis_url or None, cache_redis_prefix=prefix
    )
    cache = build_cache(settings, url)
    await cache.start()
    state = cache.namespace("state", tiers=("memory",), ttl=300)
    slow = cache.namespace("slow", ttl=300)
    db = await psycopg.AsyncConnection.connect(url, autocommit=True)
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    def say(text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    say("ready")
    while line := (await reader.readline()).decode().strip():
        command, *args = line.split()
        if command == "state":
            player = int(args[0])

            async def version(player: int = player) -> bytes:
                cur = await db.execute("SELECT version FROM test_versions WHERE id = %s", (player,))
                row = await cur.fetchone()
                return str(row[0] if row else -1).encode()

            value = await state.get_or_compute(str(player), version, tags=[f"player:{player}"])
            say(value.decode())
        elif command == "has":
            say("yes" if cache.memory.get(f"state:{args[0]}", cache.now()) else "no")
        elif command == "compute":
            key, n = args[0], int(args[1])

            async def expensive(key: str = key) -> bytes:
                await db.execute("UPDATE test_counter SET n = n + 1 WHERE name = %s", (key,))
                await asyncio.sleep(0.3)
                return b"computed once"

            results = await asyncio.gather(
                *(slow.get_or_compute(key, expensive, cross_process=True) for _ in range(n))
            )
            say(",".join(sorted({r.decode() for r in results})))
        elif command == "quit":
            break
    await db.close()
    await cache.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
