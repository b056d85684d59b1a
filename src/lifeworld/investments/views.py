"""The practice portfolio page: holdings, create, top up, sell, monthly growth, rebalancing.

Same services as `investments/api.py` and `rebalancing/api.py`. Rule refusals (not enough gold
or energy, growth already applied this month) are shown next to the form that was sent.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifeworld.activities.schemas import MilestoneGainedOut
from lifeworld.clock import clock
from lifeworld.db.scope import Scope
from lifeworld.db.session import ScopeDep
from lifeworld.errors import InvalidField, NotFound
from lifeworld.game.errors import GameRuleError
from lifeworld.game.investments import DEFAULT_YIELDS, INVESTMENT_ENERGY_COST, InvestmentType
from lifeworld.game.rebalancing import Frequency, Level
from lifeworld.investments import service
from lifeworld.investments.schemas import InvestmentIn, InvestmentPatch
from lifeworld.players import service as players
from lifeworld.rebalancing import service as rebalancing
from lifeworld.schemas_common import IdPath
from lifeworld.web import formats, submissions
from lifeworld.web.deps import FormViewer, PageViewer, Viewer
from lifeworld.web.flash import Flash
from lifeworld.web.forms import FORM_ERROR, PageForm, ShowPage
from lifeworld.web.labels import label, money
from lifeworld.web.templating import redirect_response, render

router = APIRouter(include_in_schema=False)

MESSAGES = {
    "type": "Choose a kind of investment.",
    "name": "Give it a name (1–120 characters).",
    "amount": "Enter an amount of gold, at most 2 decimals.",
    "expected_yield": "Enter a yearly yield from 0 to 100 %.",
}


async def investments_page(
    request: Request,
    viewer: Viewer,
    scope: Scope,
    *,
    status: int = 200,
    top_up_forms: dict[int, PageForm] | None = None,
    **forms: PageForm,
) -> Response:
    """Holdings, totals, the forms, and the rebalancing advice."""
    now = clock.now()
    state = await players.get_state(scope, user=viewer.user, now=now)
    holdings = await service.list_investments(scope, user=viewer.user, now=now)
    config = await rebalancing.get_config(scope, user=viewer.user, now=now)
    advice = await rebalancing.status(scope, user=viewer.user, now=now)
    config_form = PageForm.blank(
        **{k: getattr(v, "value", v) for k, v in config.model_dump().items() if k != "configured"}
    )
    blank = {
        "create": PageForm.blank(type="STOCKS"),
        "growth": PageForm.blank(),
        "mix": config_form,
    }
    top_ups = {h.id: PageForm.blank() for h in holdings} | (top_up_forms or {})
    return render(
        request,
        "investments/index.html",
        viewer=viewer,
        status=status,
        sections=("portfolio", "create", "growth", "rebalancing"),
        state=state,
        holdings=holdings,
        config=config,
        advice=advice,
        types=[
            (t.value, f"{label(t)} (expected {DEFAULT_YIELDS[t]} % a year)") for t in InvestmentType
        ],
        levels=[(lv.value, lv.value.title()) for lv in Level],
        frequencies=[
            (Frequency.THRESHOLD_BASED.value, "When the mix drifts past the threshold"),
            (Frequency.ANNUAL.value, "Once a year"),
        ],
        forms={**blank, **forms},
        top_ups=top_ups,
        energy_cost=INVESTMENT_ENERGY_COST,
    )


@router.get("/investments")
async def investments(request: Request, viewer: PageViewer, scope: ScopeDep) -> Response:
    return await investments_page(request, viewer, scope)


@router.post("/investments")
async def create(request: Request, viewer: FormViewer, scope: ScopeDep) -> Response:
    form = await PageForm.read(request)
    body = form.validate(InvestmentIn, optional=("expected_yield",), messages=MESSAGES)
    if body is None:
        raise ShowPage(await investments_page(request, viewer, scope, status=422, create=form))
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    try:
        made = await service.create(scope, user=viewer.user, now=clock.now(), body=body)
    except GameRuleError as exc:
        form.errors[FORM_ERROR] = formats.refusal(exc)
        raise ShowPage(
            await investments_page(request, viewer, scope, status=409, create=form)
        ) from None
    text = (
        f"“{made.investment.name}” bought for {money(made.investment.amount_invested)}: "
        f"{formats.xp(made.xp_gained.overall)}, {formats.number(made.energy_used)} energy used."
    )
    text += _reached(made.milestones)
    flash = Flash("success", text, section="portfolio")
    return await submissions.done(request, scope, form, to="/investments#portfolio", flash=flash)


def _reached(milestones: list[MilestoneGainedOut]) -> str:
    """What a flash adds for the milestones an action reached (§8)."""
    return "".join(
        f" Milestone reached: {label(m.type)} (+{formats.plural(m.keys, 'key')})!"
        for m in milestones
    )


def _top_up_total(form: PageForm, invested: Decimal) -> str:
    """The new total the API takes, from the amount to add the page asks for."""
    try:
        extra = Decimal(form.value("add").strip())
    except InvalidOperation:
        return "invalid"
    if not extra.is_finite() or extra <= 0:
        return "invalid"
    return str(invested + extra)


@router.post("/investments/{investment_id}/top-up")
async def top_up(
    investment_id: IdPath, request: Request, viewer: FormViewer, scope: ScopeDep
) -> Response:
    form = await PageForm.read(request)
    holding = next(
        (h for h in await service.list_investments(scope, user=viewer.user, now=clock.now())
         if h.id == investment_id),
        None,
    )  # fmt: skip
    if holding is None:
        raise NotFound("No such investment.")
    total = _top_up_total(form, holding.amount_invested)
    body = form.validate_data(InvestmentPatch, {"amount": total}, fields={("amount",): "add"})
    if body is None:
        form.errors["add"] = "Enter the gold to add: more than 0, at most 2 decimals."
        page = await investments_page(
            request, viewer, scope, status=422, top_up_forms={investment_id: form}
        )
        raise ShowPage(page)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    try:
        changed = await service.patch(
            scope, user=viewer.user, now=clock.now(), investment_id=investment_id, body=body
        )
    except (GameRuleError, InvalidField) as exc:
        form.errors["add"] = formats.refusal(exc) if isinstance(exc, GameRuleError) else exc.message
        page = await investments_page(
            request, viewer, scope, status=409, top_up_forms={investment_id: form}
        )
        raise ShowPage(page) from None
    text = (
        f"“{changed.investment.name}” topped up to {money(changed.investment.amount_invested)} "
        f"invested. Gold left: {money(changed.gold)}."
    ) + _reached(changed.milestones)
    flash = Flash("success", text, section="portfolio")
    return await submissions.done(request, scope, form, to="/investments#portfolio", flash=flash)


@router.post("/investments/{investment_id}/sell")
async def sell(
    investment_id: IdPath, request: Request, viewer: FormViewer, scope: ScopeDep
) -> Response:
    form = await PageForm.read(request)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    sale = await service.sell_investment(
        scope, user=viewer.user, now=clock.now(), investment_id=investment_id
    )
    text = f"Sold for {money(sale.sold_for)}. You now have {money(sale.gold)} in gold."
    text += _reached(sale.milestones)
    flash = Flash("success", text, section="portfolio")
    return await submissions.done(request, scope, form, to="/investments#portfolio", flash=flash)


@router.post("/investments/growth")
async def grow(request: Request, viewer: FormViewer, scope: ScopeDep) -> Response:
    form = await PageForm.read(request)
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    try:
        growth = await service.grow(scope, user=viewer.user, now=clock.now())
    except GameRuleError as exc:
        form.errors[FORM_ERROR] = formats.refusal(exc)
        raise ShowPage(
            await investments_page(request, viewer, scope, status=409, growth=form)
        ) from None
    text = (
        f"Growth for {growth.month:%B %Y} applied: {formats.signed_money(growth.total_growth)} "
        f"across {formats.plural(len(growth.investments), 'holding')}."
    ) + _reached(growth.milestones)
    flash = Flash("success", text, section="growth")
    return await submissions.done(request, scope, form, to="/investments#growth", flash=flash)


@router.get("/investments/{part:path}")
async def investments_form_address(part: str) -> Response:
    """A form's address opened directly: the page itself."""
    return redirect_response("/investments")
