"""Schemathesis over every operation of the app's own OpenAPI document, signed in.

A real app process on 127.0.0.1 answers; every answer must be no 5xx and must match the document
(status code, content type, headers, body schema). The normal run is bounded
(LIFEWORLD_FUZZ_EXAMPLES, default 12 per operation); `scripts/fuzz.sh` runs a larger one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from lifeworld.app import create_app
from lifeworld.db import migrate
from lifeworld.settings import Settings
from tests.faults.harness import AppProcess, running_apps, sign_up

EXAMPLES = int(os.environ.get("LIFEWORLD_FUZZ_EXAMPLES", "12"))
# Moving the test clock would change what "today" is for the rest of the run.
EXCLUDED_PATHS = ("/api/v1/testing/clock",)


class FuzzTarget:
    def __init__(self, app: AppProcess, token: str, token_id: int) -> None:
        self.app = app
        self.headers = {"Authorization": f"Bearer {token}"}
        self.token_id = token_id


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory, create_database: Any) -> Iterator[Any]:
    url = create_database("lifeworld_fuzz")
    migrate.upgrade(url)
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    with running_apps(tmp, url) as (app,):
        body = sign_up(app.url)
        with httpx.Client(base_url=app.url, headers={"X-CSRF-Token": body["csrf_token"]}) as c:
            # A second member and a few rows, so ids and lists are not all empty.
            c.headers["Authorization"] = f"Bearer {body['token']}"
            c.post("/api/v1/me/activities", json={"type": "REST"})
            c.post("/api/v1/me/engines", json={"type": "CAREER", "name": "Job"})
            c.get("/api/v1/me/loadouts")
        yield FuzzTarget(app, body["token"], body["token_id"])


def openapi_document() -> dict[str, Any]:
    """The document as the app builds it (no database is touched to build it)."""
    settings = Settings(env="test", secret_key="x" * 40)  # type: ignore[arg-type]
    app = create_app(settings, database_url="postgresql://nobody@127.0.0.1:1/unused")
    return app.openapi()


DOCUMENT = openapi_document()
schema = schemathesis.openapi.from_dict(DOCUMENT).exclude(path=list(EXCLUDED_PATHS))


def test_the_served_document_is_the_one_fuzzed(fuzz_target: FuzzTarget) -> None:
    served = httpx.get(fuzz_target.app.url + "/api/v1/openapi.json", timeout=30)
    assert served.status_code == 200
    assert served.json() == DOCUMENT
    operations = sum(len(item) for item in DOCUMENT["paths"].values())
    assert operations >= 50  # every game, account, places and ops operation


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_documented_contract(
    case: schemathesis.Case, fuzz_target: FuzzTarget
) -> None:
    # Never revoke the token the fuzzing itself signs in with.
    own_token = str((case.path_parameters or {}).get("token_id")) == str(fuzz_target.token_id)
    if case.path == "/api/v1/auth/tokens/{token_id}" and own_token:
        assert case.path_parameters is not None
        case.path_parameters["token_id"] = fuzz_target.token_id + 1000
    case.call_and_validate(
        base_url=fuzz_target.app.url,
        headers=fuzz_target.headers,
        excluded_checks=[checks.positive_data_acceptance],
    )
