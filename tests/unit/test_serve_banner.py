"""What `lifeworld serve` prints: the HTTPS address, the name announced (and the suffix it got
when another machine had it), and the Connect a phone page with its QR."""

from __future__ import annotations

from typing import Any, cast

import pytest

from lifeworld.cli import banner
from lifeworld.mdns import Announcement, candidates, lan_ipv4
from lifeworld.settings import load_settings


def _announced(name: str) -> Announcement:
    return Announcement(cast(Any, None), cast(Any, None), name, "lifeworld")


@pytest.fixture(autouse=True)
def _lan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(banner, "lan_address", lambda: "192.168.1.20")


def test_https_banner_names_the_app_and_the_connect_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = load_settings(env="test", host="0.0.0.0", port=5173, _env_file=None)
    banner.print_banner(settings, https=True, announced=_announced("lifeworld"))
    out = capsys.readouterr().out
    assert "https://localhost:5173/" in out
    assert "https://lifeworld.local:5173/" in out and "https://192.168.1.20:5173/" in out
    assert "http://192.168.1.20:5173/connect" in out and "█" in out
    assert "taken" not in out


def test_the_banner_says_which_name_it_got(capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(env="test", host="0.0.0.0", _env_file=None)
    banner.print_banner(settings, https=True, announced=_announced("lifeworld-2"))
    out = " ".join(capsys.readouterr().out.split())
    assert "lifeworld.local is taken by another machine on this network" in out
    assert "this one is lifeworld-2.local" in out and "https://lifeworld-2.local:5173/" in out


def test_plain_banner_when_tls_is_off(capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(env="test", host="0.0.0.0", tls="off", _env_file=None)
    banner.print_banner(settings, https=False, announced=None)
    out = capsys.readouterr().out
    assert "http://192.168.1.20:5173/" in out and "/connect" not in out


def test_suffixes_and_lan_addresses() -> None:
    assert list(candidates("lifeworld"))[:3] == ["lifeworld", "lifeworld-2", "lifeworld-3"]
    assert all(len(n) <= 63 for n in candidates("x" * 63))
    assert lan_ipv4(["127.0.0.1", "169.254.1.1", "::1", "fe80::1", "192.168.1.20"]) == [
        "192.168.1.20"
    ]
