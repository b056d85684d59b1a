"""The site's navigation: one list, shown as a top bar on wide screens and a tab bar on phones."""

from __future__ import annotations

from dataclasses import dataclass

from lifeworld.accounts.models import User

TAB_BAR_SLOTS = 5  # what fits one-handed on a 360 px phone; the rest go under "More"


@dataclass(frozen=True)
class NavItem:
    """A destination; `icon` names a symbol in static/icons.svg."""

    label: str
    href: str
    icon: str
    admin_only: bool = False


@dataclass(frozen=True)
class NavLink:
    item: NavItem
    current: bool


@dataclass(frozen=True)
class Nav:
    links: list[NavLink]  # every destination, in order (the wide top bar)
    bar: list[NavLink]  # the phone's tab bar
    more: list[NavLink]  # what did not fit in the tab bar


# Game screens add their entry here, in the order people reach for them.
NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Today", "/", "today"),
    NavItem("Household", "/household", "household"),
    NavItem("Settings", "/settings", "settings"),
)


def _is_current(item: NavItem, path: str) -> bool:
    if item.href == "/":
        return path == "/"
    return path == item.href or path.startswith(item.href + "/")


def nav_for(user: User | None, path: str) -> Nav:
    """The navigation a user sees on `path` (empty when signed out)."""
    if user is None:
        return Nav(links=[], bar=[], more=[])
    links = [
        NavLink(item, _is_current(item, path))
        for item in NAV_ITEMS
        if user.is_admin or not item.admin_only
    ]
    if len(links) <= TAB_BAR_SLOTS:
        return Nav(links=links, bar=links, more=[])
    return Nav(links=links, bar=links[: TAB_BAR_SLOTS - 1], more=links[TAB_BAR_SLOTS - 1 :])
