"""Settings: one typed object that refuses to run production with a placeholder secret."""

from __future__ import annotations

import pytest

from lifeworld.settings import Settings, SettingsError, load_settings


@pytest.mark.parametrize("secret", ["", "change-me", "changeme", "secret", "short-but-random-9f2"])
def test_placeholder_or_short_secret_is_refused_outside_test(secret: str) -> None:
    with pytest.raises(SettingsError, match="LIFEWORLD_SECRET_KEY") as info:
        load_settings(env="production", secret_key=secret, _env_file=None)
    assert "setup-mvp.sh" in str(info.value)
    with pytest.raises(ValueError, match="LIFEWORLD_SECRET_KEY"):
        Settings(env="development", secret_key=secret, _env_file=None)  # type: ignore[arg-type, call-arg]


def test_test_environment_runs_without_a_secret() -> None:
    settings = Settings(env="test", secret_key="", _env_file=None)  # type: ignore[arg-type, call-arg]
    assert settings.env.value == "test"


def test_reads_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIFEWORLD_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("LIFEWORLD_PORT", "6001")
    monkeypatch.setenv("LIFEWORLD_HOST", "127.0.0.1")
    monkeypatch.setenv("LIFEWORLD_DATABASE_URL", "postgresql://app:hunter2@nas.lan:5432/lifeworld")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.port, settings.host) == (6001, "127.0.0.1")
    assert not settings.uses_embedded_database
    summary = settings.redacted()
    assert "hunter2" not in str(summary)
    assert "k" * 48 not in str(summary)
    assert summary["database"] == "postgresql://app:***@nas.lan:5432/lifeworld"


def test_bad_timezone_is_refused() -> None:
    with pytest.raises(ValueError, match="IANA"):
        Settings(env="test", household_timezone="Mars/Base", _env_file=None)  # type: ignore[arg-type, call-arg]


def test_the_public_url_names_the_host_and_the_machine_addresses_still_answer() -> None:
    from lifeworld.net import allowed_hosts, machine_addresses

    hosts = allowed_hosts("http://lifeworld.lan:5173", ())
    assert "lifeworld.lan" in hosts
    assert "localhost" in hosts
    assert set(machine_addresses()) <= hosts  # a load balancer's health check by IP
    assert "evil.example" not in hosts


def test_place_search_defaults_to_auto_and_the_contact_is_one_header_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LIFEWORLD_PLACES_PROVIDER", raising=False)  # tests/conftest.py sets it
    settings = Settings(env="test", _env_file=None)  # type: ignore[arg-type, call-arg]
    assert settings.places_provider.value == "auto"
    assert settings.places_contact is None and settings.places_offline_retry_s == 60
    contact = load_settings(env="test", places_contact="  admin@home.example ", _env_file=None)
    assert contact.places_contact == "admin@home.example"
    assert load_settings(env="test", places_contact=" ", _env_file=None).places_contact is None
    for bad in ("admin@home.example\r\nX-Evil: 1", "adé@home.example"):
        with pytest.raises(SettingsError, match="LIFEWORLD_PLACES_CONTACT: use an e-mail"):
            load_settings(env="test", places_contact=bad, _env_file=None)
