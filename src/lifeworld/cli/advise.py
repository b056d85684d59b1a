"""`lifeworld advise`: the scale advice in the terminal, from the figures the app recorded.

`--simulate users=120,queries_per_day=5000` shows what the advice would be if those figures held
(keys: see `lifeworld.ops.simulate.KEYS`); a key or value that cannot be used exits with code 2.
"""

from __future__ import annotations

import asyncio
import json

import typer
from rich.panel import Panel
from rich.table import Table
from sqlalchemy.exc import DBAPIError

from lifeworld.cli.common import console, fail, ready_database, settings_or_exit
from lifeworld.clock import clock
from lifeworld.db.session import create_database
from lifeworld.ops import service, simulate
from lifeworld.ops.advisor import COSTS_NOTE, PHASES, Action
from lifeworld.ops.schemas import AdviceOut, FiguresOut
from lifeworld.ops.wording import figure_rows, trigger_row
from lifeworld.settings import CacheMode

SIMULATE_HELP = (
    "Pretend figures, comma-separated key=value: " + ", ".join(simulate.KEYS) + ". "
    "Example: users=120,queries_per_day=5000"
)


async def _overview(
    url: str, *, redis: bool, simulation: simulate.Simulation | None
) -> service.Overview:
    db = create_database(url, pool_size=1, max_overflow=0, application_name="lifeworld-cli")
    try:
        async with db.sessionmaker() as session:
            return await service.overview(
                session, now=clock.now(), redis_in_use=redis, simulation=simulation
            )
    finally:
        await db.dispose()


def _print(seen: service.Overview, simulated: str | None) -> None:
    advice = seen.advice
    style = "yellow" if advice.action is Action.ADD_REDIS else "green"
    title = f"Simulated: {simulated}" if simulated else "Scale advice"
    console.print(
        Panel(
            f"[bold]{advice.recommendation}[/]\n\nPhase: {advice.phase.label} "
            f"({advice.users} user{'' if advice.users == 1 else 's'}) · "
            f"estimated cost {advice.phase.cost_text}",
            title=title,
            border_style=style,
        )
    )
    now = Table(title="The five figures now", title_justify="left")
    now.add_column("Figure")
    now.add_column("Now", justify="right")
    now.add_column("Based on", style="dim")
    for name, value, note in figure_rows(seen.current):
        now.add_row(name, value, note)
    console.print(now)
    triggers = Table(title="Triggers (add Redis when any fires)", title_justify="left")
    for column, justify in (("Trigger", "left"), ("Now", "right"), ("Limit", "right")):
        triggers.add_column(column, justify=justify)  # type: ignore[arg-type]
    triggers.add_column("State")
    for trigger in advice.triggers:
        state = "[bold yellow]fired[/]" if trigger.fired else "[green]calm[/]"
        triggers.add_row(*trigger_row(trigger), state)
    console.print(triggers)
    phases = Table(title="Phases and costs", title_justify="left")
    for column in ("Phase", "Users", "Queries/day", "Redis", "Cost"):
        phases.add_column(column)
    for info in PHASES:
        mark = " ◀ you" if info is advice.phase else ""
        phases.add_row(
            info.label + mark, info.users, info.queries_per_day, info.redis, info.cost_text
        )
    console.print(phases)
    console.print(f"[dim]{COSTS_NOTE}[/]")


def advise(
    simulate_: str | None = typer.Option(None, "--simulate", help=SIMULATE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the advice and figures as JSON."),
) -> None:
    """Where this installation stands and whether to add Redis (the seed's decision matrix)."""
    settings = settings_or_exit()
    simulation = None
    if simulate_ is not None:
        try:
            simulation = simulate.parse(simulate_)
        except simulate.SimulationError as exc:
            fail(f"--simulate: {exc}", 2)
    url, embedded, started = ready_database(settings)
    redis = settings.cache is CacheMode.HYBRID
    try:
        seen = asyncio.run(_overview(url, redis=redis, simulation=simulation))
    except (DBAPIError, OSError) as exc:
        fail(f"cannot read the figures from the database: {getattr(exc, 'orig', exc)}")
    finally:
        if started and embedded is not None:
            embedded.stop()
    if as_json:
        body = {
            "figures": FiguresOut.of(seen.current).model_dump(mode="json"),
            "advice": AdviceOut.of(seen.advice, simulated=simulation is not None).model_dump(
                mode="json"
            ),
        }
        typer.echo(json.dumps(body, indent=2))
        return
    _print(seen, simulate_)
