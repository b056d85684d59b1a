"""Double-submit protection: a form's nonce is accepted once, a repeat replays the first answer.

Every rendered form carries a random `form_nonce`. A handler that records something calls
`claim` before acting: the nonce is inserted into `form_submissions` in the request's own
transaction. A second submit of the same form (a double tap, a reload of the POST) inserts the
same key; PostgreSQL makes it wait until the first transaction ends, then
  - the first committed: the insert conflicts, and the second gets a redirect to where the first
    went, with its message and a note that the form was sent twice (nothing recorded again);
  - the first rolled back (it was refused): the insert succeeds and the second proceeds.
So this holds across app instances and worker processes, not only within one.

A phone whose page could not be sure its form arrived (the answer was lost) queues the activity
and sends it later through the API, with `form:<nonce>` as its Idempotency-Key: `claim_page_key`
claims the same nonce there, so the activity is recorded once whichever way it got through.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from starlette.requests import Request
from starlette.responses import Response

from lifeworld.db.scope import Scope
from lifeworld.errors import Conflict
from lifeworld.web.flash import Flash, Kind
from lifeworld.web.forms import NONCE_PATTERN, PageForm, ShowPage
from lifeworld.web.models import FormSubmission
from lifeworld.web.templating import redirect

KEEP_FOR = timedelta(hours=24)
PAGE_KEY = "form:"  # an Idempotency-Key made by a page from its form's nonce (static/app.js)
PURGE_BATCH = 200
SENT_TWICE = "That form was sent twice; it was recorded once."


async def claim(
    scope: Scope, *, nonce: str, user_id: int | None, now: datetime
) -> FormSubmission | None:
    """Take the nonce for this submission: None when it is new, else the earlier submission."""
    await purge_expired(scope, now=now)
    inserted = await scope.session.scalar(
        insert(FormSubmission)
        .values(nonce=nonce, user_id=user_id, created_at=now, expires_at=now + KEEP_FOR)
        .on_conflict_do_nothing(index_elements=[FormSubmission.nonce])
        .returning(FormSubmission.nonce)
    )
    if inserted is not None:
        return None
    return await scope.session.scalar(
        select(FormSubmission)
        .where(FormSubmission.nonce == nonce)
        .execution_options(populate_existing=True)
    )


async def record_outcome(
    scope: Scope, *, nonce: str, redirect_to: str, flash: Flash | None
) -> None:
    """Remember where the first submission went and what it said (never a secret)."""
    await scope.session.execute(
        update(FormSubmission)
        .where(FormSubmission.nonce == nonce)
        .values(
            redirect_to=redirect_to[:500],
            flash_kind=flash.kind if flash else None,
            flash_text=flash.text[:500] if flash else None,
        )
    )


async def purge_expired(scope: Scope, *, now: datetime) -> None:
    """Drop a small batch of expired records (cheap: index on expires_at)."""
    expired = (
        select(FormSubmission.nonce)
        .where(FormSubmission.expires_at < now)
        .limit(PURGE_BATCH)
        .scalar_subquery()
    )
    await scope.session.execute(delete(FormSubmission).where(FormSubmission.nonce.in_(expired)))


async def claim_page_key(scope: Scope, *, key: str | None, user_id: int, now: datetime) -> None:
    """Claim the nonce inside a page's Idempotency-Key; 409 `already_recorded` when the page's
    own submission of it was recorded (its answer never reached the phone)."""
    if key is None or not key.startswith(PAGE_KEY):
        return
    nonce = key.removeprefix(PAGE_KEY)
    if not NONCE_PATTERN.fullmatch(nonce):
        return
    earlier = await claim(scope, nonce=nonce, user_id=user_id, now=now)
    if earlier is not None and earlier.user_id == user_id:
        raise Conflict(
            "This activity reached your server when it was first sent; it is not logged twice.",
            code="already_recorded",
        )


def replay(request: Request, earlier: FormSubmission, *, user_id: int | None) -> Response:
    """The answer to a repeated form: where the first went, what it said, and why."""
    notes: list[Flash] = []
    to = "/"
    if earlier.user_id == user_id:
        to = earlier.redirect_to or "/"
    # The page part the first answer's message went to is the redirect's #fragment.
    section = urlsplit(to).fragment or None
    if earlier.user_id == user_id and earlier.flash_text:
        kind: Kind = "success" if earlier.flash_kind == "success" else "info"
        notes.append(Flash(kind=kind, text=earlier.flash_text, section=section))
    notes.append(Flash(kind="info", text=SENT_TWICE, section=section))
    return redirect(request, to, *notes)


async def once(
    request: Request, scope: Scope, form: PageForm, *, user_id: int | None, now: datetime
) -> None:
    """Claim the form's nonce or stop here with the replay of the first submission."""
    form.require_nonce()
    earlier = await claim(scope, nonce=form.nonce, user_id=user_id, now=now)
    if earlier is not None:
        raise ShowPage(replay(request, earlier, user_id=user_id))


async def done(
    request: Request,
    scope: Scope,
    form: PageForm,
    *,
    to: str,
    flash: Flash | None = None,
    replay_flash: Flash | None = None,
) -> Response:
    """Finish a claimed form: record its outcome and redirect (POST-redirect-GET).

    `replay_flash` is what a repeat of the form will say (default: `flash` without its secret).
    """
    remembered = replay_flash or flash
    await record_outcome(scope, nonce=form.nonce, redirect_to=to, flash=remembered)
    return redirect(request, to, *([flash] if flash else []))
