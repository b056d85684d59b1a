"""The site's navigation: one list, shown as a top bar on wide screens and a tab bar on phones."""

from __future__ import annotations

from dataclasses import dataclass, field

from lifeworld.accounts.models import User

TAB_BAR_SLOTS = 5  # what fits one-handed on a 360 px phone; the rest go under "More"
TOP_BAR_SLOTS = 7  # what fits beside the brand and the account menu on a laptop


@dataclass(frozen=True)
class NavItem:
    """A destination; `icon` names a symbol in static/icons.svg."""

    label: str
    href: str
    icon: str
    admin_only: bool = False
    owner_only: bool = False  # the instance owner's (accounts/owner.py)


@dataclass(frozen=True)
class NavLink:
    item: NavItem
    current: bool


@dataclass(frozen=True)
class Nav:
    links: list[NavLink]  # every destination, in order (the wide top bar)
    bar: list[NavLink]  # the phone's tab bar
    more: list[NavLink]  # what did not fit in the tab bar
    top: list[NavLink] = field(default_factory=list)  # the wide top bar
    top_more: list[NavLink] = field(default_factory=list)  # under "More" in the top bar


# In the order people reach for them: the first ones stay under the thumb on a phone.
NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Today", "/", "today"),
    NavItem("Energy", "/energy", "energy"),
    NavItem("Training", "/training", "training"),
    NavItem("Invest", "/investments", "invest"),
    NavItem("Activities", "/activities", "activity"),
    NavItem("Loadouts", "/loadouts", "loadout"),
    NavItem("Places", "/places", "place"),
    NavItem("Engines", "/engines", "engine"),
    NavItem("Household", "/household", "household"),
    NavItem("Admin", "/admin", "shield", admin_only=True),
    NavItem("System", "/system", "info", owner_only=True),
    NavItem("Settings", "/settings", "settings"),
)


def _split(links: list[NavLink], slots: int) -> tuple[list[NavLink], list[NavLink]]:
    """All links when they fit in `slots`, else `slots - 1` of them and the rest for "More"."""
    if len(links) <= slots:
        return links, []
    return links[: slots - 1], links[slots - 1 :]


def _is_current(item: NavItem, path: str) -> bool:
    if item.href == "/":
        return path == "/"
    return path == item.href or path.startswith(item.href + "/")


def _shown(item: NavItem, user: User, owns_instance: bool) -> bool:
    if item.owner_only:
        return owns_instance
    return user.is_admin or not item.admin_only


def nav_for(user: User | None, path: str, *, owns_instance: bool = False) -> Nav:
    """The navigation a user sees on `path` (empty when signed out)."""
    if user is None:
        return Nav(links=[], bar=[], more=[])
    links = [
        NavLink(item, _is_current(item, path))
        for item in NAV_ITEMS
        if _shown(item, user, owns_instance)
    ]
    bar, more = _split(links, TAB_BAR_SLOTS)
    top, top_more = _split(links, TOP_BAR_SLOTS)
    return Nav(links=links, bar=bar, more=more, top=top, top_more=top_more)
