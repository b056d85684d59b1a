"""The instance owner's System page: where the installation stands and what (if anything) to do.

The same service as `GET /api/v1/ops/metrics` and `/advice` (`service.overview`): the advice in
plain words, the five figures now, each as a small chart over 24 hours or 7 days, the triggers
with their thresholds, and the seed's decision matrix with each phase's monthly cost.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from lifeworld.accounts.deps import owner_only
from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.errors import Forbidden
from lifeworld.ops import service
from lifeworld.ops.advisor import COSTS_NOTE, PHASES, RULES, Action, in_plain_words
from lifeworld.ops.charts import line_chart
from lifeworld.ops.figures import ChartPoint
from lifeworld.ops.wording import figure_rows, trigger_row
from lifeworld.timezones import zone
from lifeworld.web.charts import Chart
from lifeworld.web.deps import PageViewer
from lifeworld.web.templating import render

router = APIRouter(include_in_schema=False)
SpanQuery = Annotated[Literal["24h", "7d"], Query()]
THRESHOLDS = {rule.name: rule.threshold for rule in RULES}


def figure_charts(points: list[ChartPoint], tz_name: str, span: str) -> list[Chart]:
    """The five figures over the span, each with the threshold that would call for Redis."""
    tz, period = zone(tz_name), "24 hours" if span == "24h" else "7 days"

    def chart(key: str, title: str, unit: str, **kw: float) -> Chart:
        return line_chart(
            points,
            lambda p: getattr(p, key),
            title=f"{title}, last {period}",
            unit=unit,
            tz=tz,
            uid=f"sys-{key.replace('_', '-')}",
            **kw,
        )

    return [
        chart("latency_mean_ms", "Query latency", "ms", threshold=THRESHOLDS["query_latency"]),
        chart(
            "cache_hit_rate_pct", "Cache hit rate", "%",
            threshold=THRESHOLDS["cache_hit_rate"], ceiling=100,
        ),
        chart(
            "db_cpu_pct", "Database CPU", "%", threshold=THRESHOLDS["database_cpu"], ceiling=100
        ),
        chart(
            "concurrent_users", "Concurrent users", "users",
            threshold=THRESHOLDS["concurrent_users"],
        ),
        chart(
            "queries_per_day", "Queries per day", "queries",
            threshold=THRESHOLDS["queries_per_day"],
        ),
    ]  # fmt: skip


@router.get("/system")
async def system(
    request: Request, viewer: PageViewer, scope: ScopeDep, span: SpanQuery = "24h"
) -> Response:
    if not viewer.user.is_admin:
        raise Forbidden("Only the household admin can open this page.", code="admin_only")
    if not viewer.owns_instance:
        raise owner_only()
    seen = await service.overview(
        scope.session,
        now=clock.now(),
        redis_in_use=request.app.state.cache.redis is not None,
        span=span,
    )
    return render(
        request,
        "ops/system.html",
        viewer=viewer,
        span=span,
        figures=figure_rows(seen.current),
        advice=seen.advice,
        words=in_plain_words(seen.advice),
        open_detail="span" in request.query_params,  # the engineer moved between periods
        triggers=[(t, *trigger_row(t)) for t in seen.advice.triggers],
        urgent=seen.advice.action is Action.ADD_REDIS,
        charts=figure_charts(list(seen.points), viewer.user.timezone, span),
        phases=PHASES,
        costs_note=COSTS_NOTE,
    )
