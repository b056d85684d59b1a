"""`GET /metrics` (Prometheus text), `GET /api/v1/ops/metrics` and `GET /api/v1/ops/advice`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from lifeworld.accounts.deps import OwnerUser
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.errors import InvalidField
from lifeworld.ops import metrics, scrape, service, simulate
from lifeworld.ops.schemas import AdviceOut, FiguresOut

router = APIRouter(tags=["operations"])

PROMETHEUS_TEXT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Prometheus text exposition (version 0.0.4).",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
}


def _redis(request: Request) -> bool:
    return bool(request.app.state.cache.redis is not None)


@router.get("/metrics", response_class=Response, responses=PROMETHEUS_TEXT)
async def prometheus_metrics(request: Request, scope: ScopeDep) -> Response:
    """Every worker's metrics; a bearer token or a client on this machine is required."""
    scrape.authorize(request)
    await scrape.refresh(
        scope.session,
        recorder=request.app.state.ops,
        settings=request.app.state.settings,
        redis=_redis(request),
    )
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})


@router.get("/api/v1/ops/metrics", response_model=FiguresOut)
async def ops_metrics(request: Request, owner: OwnerUser, scope: ScopeDep) -> FiguresOut:
    """The seed's five figures: query latency, cache hit rate, database CPU, concurrent users,
    queries per day (the instance owner: an admin of the household that set it up)."""
    seen = await service.overview(scope.session, now=clock.now(), redis_in_use=_redis(request))
    return FiguresOut.of(seen.current)


SimulateQuery = Annotated[
    str | None,
    Query(
        alias="simulate",
        max_length=500,
        description="Pretend figures, e.g. users=120,queries_per_day=5000 (see ops/README.md).",
    ),
]


@router.get("/api/v1/ops/advice", response_model=AdviceOut)
async def ops_advice(
    request: Request, owner: OwnerUser, scope: ScopeDep, simulate_: SimulateQuery = None
) -> AdviceOut:
    """The scale advice: phase, triggers, recommendation and monthly cost (the instance
    owner)."""
    simulation = None
    if simulate_ is not None:
        try:
            simulation = simulate.parse(simulate_)
        except simulate.SimulationError as exc:
            raise InvalidField("simulate", str(exc), code="invalid_simulation") from None
    seen = await service.overview(
        scope.session, now=clock.now(), redis_in_use=_redis(request), simulation=simulation
    )
    return AdviceOut.of(seen.advice, simulated=simulation is not None)
