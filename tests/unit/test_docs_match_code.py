"""The docs name every setting and every command the code has, and nothing the code lacks.

The settings come from the `Settings` class itself (its fields and env prefix) and from the
options of the commands that read an environment variable (`LIFEWORLD_WORKERS`); the commands
come from walking the Typer app. A new setting or command that is not documented fails here,
naming what is missing and where it belongs. So do the figures and words other docs take from
the code: one process's database connections, the advisor's costs, QUICK_START's labels.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main

from lifeworld.cli.main import app
from lifeworld.ops.advisor import PHASES, REDIS_CLOUD_COST
from lifeworld.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
ENV_EXAMPLE = ROOT / ".env.example"
DEPLOY_AWS = ROOT / "docs" / "DEPLOY_AWS.md"
STRATEGY = ROOT / "docs" / "deployment-strategy.md"
QUICK_START = ROOT / "QUICK_START_MVP.md"
WEB = ROOT / "src" / "lifeworld" / "web"
SETTINGS_HEADING = "## Settings"
COMMANDS_HEADING = "## The `lifeworld` command"
NAME = re.compile(r"LIFEWORLD_[A-Z0-9_]+")
# Connections a process opens besides the pools the settings size: the cache's invalidation
# listener (cache/bus.py), and the per-minute figures' engine, a pool of one with one overflow
# (ops/recorder.py).
LISTENER, FIGURES = 1, 2


def settings_names() -> list[str]:
    """Every variable `Settings` reads: its env prefix and each field's name in capitals."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return [f"{prefix}{field}".upper() for field in Settings.model_fields]


def _children(command: Any) -> dict[str, Any] | None:
    """A group's sub-commands by name; None for a command. (Duck-typed: Typer has shipped its
    own copy of click's classes, so `isinstance(…, click.Group)` depends on the release.)"""
    children = getattr(command, "commands", None)
    return dict(children) if isinstance(children, dict) else None


def _commands(command: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    children = _children(command)
    if children is None:
        return {path: command}
    found: dict[tuple[str, ...], Any] = {}
    for name, child in children.items():
        found.update(_commands(child, (*path, name)))
    return found


ROOT_COMMAND = typer.main.get_command(app)
COMMANDS = _commands(ROOT_COMMAND)  # ("db", "upgrade") → the command


def command_names() -> list[str]:
    """Every command a person can run: `serve`, `db upgrade`, `backup create` …"""
    return [" ".join(path) for path in COMMANDS]


def environment_options() -> list[str]:
    """Variables read by command options (click's `envvar`), not by `Settings`."""
    names = {
        str(param.envvar)
        for command in COMMANDS.values()
        for param in command.params
        if isinstance(param.envvar, str) and param.envvar.startswith("LIFEWORLD_")
    }
    return sorted(names)


def section(text: str, heading: str) -> str:
    """The lines under `heading` up to the next heading of the same or a higher level."""
    lines = text.splitlines()
    assert heading in lines, f"README.md has no {heading!r} heading"
    start = lines.index(heading) + 1
    level = heading.split(" ", 1)[0]
    fenced = False  # a shell comment in a code block is no heading
    for end in range(start, len(lines)):
        line = lines[end]
        fenced = fenced != line.startswith("```")
        if not fenced and line.startswith("#") and line.split(" ", 1)[0] <= level:
            return "\n".join(lines[start:end])
    return "\n".join(lines[start:])


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def env_example_names() -> list[str]:
    """Names given a value in .env.example, commented out (`# NAME=`) or not."""
    lines = ENV_EXAMPLE.read_text().splitlines()
    return [m[1] for m in (re.match(r"^#?\s*(LIFEWORLD_[A-Z0-9_]+)=", ln) for ln in lines) if m]


def readme_settings_rows() -> list[str]:
    return table_rows(section(README.read_text(), SETTINGS_HEADING))


def readme_command_rows() -> list[str]:
    return table_rows(section(README.read_text(), COMMANDS_HEADING))


def _listed(names: list[str], where: str, hint: str) -> str:
    return f"{where} lacks {len(names)}: {', '.join(names)}. {hint}"


def test_the_code_is_read_not_a_list_written_by_hand() -> None:
    """Guards the walks themselves: an empty walk would let every other test pass."""
    settings = settings_names()
    assert {"LIFEWORLD_SECRET_KEY", "LIFEWORLD_PLACES_PROVIDER"} <= set(settings)
    assert len(settings) == len(Settings.model_fields) > 40
    commands = command_names()
    assert {"serve", "setup", "version", "db upgrade", "backup restore"} <= set(commands)
    assert "db" not in commands, "groups are walked into, not listed"
    assert "LIFEWORLD_WORKERS" in environment_options()


def test_every_setting_is_in_env_example() -> None:
    written = set(env_example_names())
    missing = [name for name in settings_names() if name not in written]
    assert not missing, _listed(
        missing,
        ".env.example",
        "Add each as `NAME=default` (or `# NAME=` when it has no default) under a comment "
        "saying what it does.",
    )


def test_env_example_sets_only_what_the_settings_read() -> None:
    # A command option's variable (LIFEWORLD_WORKERS) is read from the environment only:
    # in .env it would do nothing.
    unknown = sorted(set(env_example_names()) - set(settings_names()))
    assert not unknown, f".env.example sets {unknown}, which lifeworld/settings.py does not read"


def test_every_setting_is_in_the_readme_settings_table() -> None:
    rows = readme_settings_rows()
    wanted = [*settings_names(), *environment_options()]
    missing = [name for name in wanted if not any(f"`{name}`" in row for row in rows)]
    assert not missing, _listed(
        missing,
        f"README.md's settings table (under {SETTINGS_HEADING!r})",
        "Add a row for each: | `NAME` | default | what it does |.",
    )


def test_the_readme_settings_table_names_only_real_settings() -> None:
    known = {*settings_names(), *environment_options()}
    named = {name for row in readme_settings_rows() for name in NAME.findall(row)}
    assert not named - known, f"README.md documents settings the code lacks: {named - known}"


def test_every_command_is_in_the_readme_command_table() -> None:
    rows = readme_command_rows()
    missing = [
        name
        for name in command_names()
        if not any(re.search(rf"`lifeworld {re.escape(name)}(?=[ `])", row) for row in rows)
    ]
    assert not missing, _listed(
        [f"lifeworld {name}" for name in missing],
        f"README.md's command table (under {COMMANDS_HEADING!r})",
        "Add a row for each: | `lifeworld NAME …` | what it does |.",
    )


def _resolve(words: list[str]) -> Any:
    """The command `words` name (extra words are its arguments), or None."""
    command = ROOT_COMMAND
    for word in words:
        children = _children(command)
        if children is None or word not in children:
            break
        command = children[word]
    return None if _children(command) is not None else command


def test_the_readme_command_table_names_only_real_commands() -> None:
    wrong = []
    for row in readme_command_rows():
        for usage in re.findall(r"`lifeworld ([^`]*)`", row.split("|")[1]):
            if _resolve(usage.split()) is None:
                wrong.append(f"lifeworld {usage}")
    assert not wrong, f"README.md's command table names commands the CLI lacks: {wrong}"


def test_the_documented_connection_count_follows_the_defaults() -> None:
    default = {name: field.default for name, field in Settings.model_fields.items()}
    terms = [
        default["db_pool_size"],
        default["db_max_overflow"],
        default["db_read_pool_size"],
        default["db_write_pool_size"],
        2 * default["cache_pool_size"],
        LISTENER,
        FIGURES,
    ]
    total = " + ".join(map(str, terms)) + f" = {sum(terms)}"
    for doc in (README, DEPLOY_AWS):
        assert total in doc.read_text(), (
            f"{doc.relative_to(ROOT)} should count one process's connections with the default "
            f"settings as {total}"
        )


def test_the_advisor_quotes_the_itemised_costs() -> None:
    """Its range per phase is the decision matrix's, from the cheapest layout's total to the
    managed one's (both in bold in the itemised table), and Redis costs the table's price."""
    doc = STRATEGY.read_text()
    costs = section(doc, "## Costs")
    matrix = table_rows(section(doc, "## Which phase are you in?"))
    for info in PHASES:
        (row,) = [r for r in matrix if r.lower().startswith(f"| {info.label.lower()} |")]
        assert info.cost_text in row, f"the matrix says {row!r}; the advisor {info.cost_text}"
        if info.cost_max:
            for dollars in (info.cost_min, info.cost_max):
                assert f"**≈ ${dollars}**" in costs, f"no layout totals ${dollars} under Costs"
    (redis,) = [r for r in table_rows(costs) if r.startswith("| ElastiCache")]
    assert redis.endswith(f"| {REDIS_CLOUD_COST} |"), redis


def test_quick_start_names_the_buttons_and_menus_the_pages_show() -> None:
    """Its bold words are labels of the pages (`Settings → Invite to the household` is a menu
    and a card); bold lead-ins ending with a colon (`You need:`) are not."""
    pages = "\n".join(p.read_text() for p in WEB.rglob("*.html")) + (WEB / "nav.py").read_text()
    labels = [
        part
        for bold in re.findall(r"\*\*(.+?)\*\*", QUICK_START.read_text())
        if not bold.endswith(":")
        for part in bold.split(" → ")
    ]
    assert len(labels) >= 5
    missing = [label for label in labels if label not in pages]
    assert not missing, f"QUICK_START_MVP.md names labels no page shows: {missing}"
