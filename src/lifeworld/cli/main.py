"""Top-level commands and sub-command groups."""

from __future__ import annotations

import typer

from lifeworld import __version__
from lifeworld.cli import advise as advise_commands
from lifeworld.cli import backup as backup_commands
from lifeworld.cli import cache as cache_commands
from lifeworld.cli import db as db_commands
from lifeworld.cli import serve as serve_commands
from lifeworld.cli import user as user_commands

app = typer.Typer(
    help="Life World OS: a self-hosted, gamified life operating system for your household.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(db_commands.app, name="db")
app.add_typer(cache_commands.app, name="cache")
app.add_typer(user_commands.app, name="user")
app.add_typer(user_commands.household_app, name="household")
app.add_typer(backup_commands.app, name="backup")
app.command("serve")(serve_commands.serve)
app.command("setup")(serve_commands.setup)
app.command("advise")(advise_commands.advise)


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"lifeworld {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Life World OS: a self-hosted, gamified life operating system for your household."""


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)
