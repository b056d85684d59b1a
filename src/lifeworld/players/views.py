"""The onboarding questionnaire as eight short pages (GAME_RULES.md §10), working without JS.

Each step is a form POST carrying the answers so far in hidden fields; the current answer is
checked with the API's `QuestionnaireIn` (errors of later steps are not shown yet), and the last
step calls `answer_questionnaire`, the same service as `POST /api/v1/me/questionnaire`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifeworld.clock import clock
from lifeworld.db.session import ScopeDep
from lifeworld.game.errors import QuestionnaireAlreadyDone
from lifeworld.players import service
from lifeworld.players.schemas import QuestionnaireIn
from lifeworld.web import submissions
from lifeworld.web.deps import FormViewer, PageViewer, Viewer
from lifeworld.web.flash import Flash
from lifeworld.web.forms import PageForm, ShowPage
from lifeworld.web.templating import redirect, render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Step:
    """One question of the questionnaire."""

    name: str
    question: str
    hint: str
    choices: tuple[tuple[str, str, str], ...] = ()  # value, label, description
    number: dict[str, str] = field(default_factory=dict)  # input attributes of a number answer
    unit: str = ""
    message: str = "Choose one answer."


STRENGTHS = (
    ("weak", "Weak", "It holds me back often."),
    ("medium", "Medium", "Some good weeks, some bad ones."),
    ("strong", "Strong", "It carries me most days."),
    ("very_strong", "Very strong", "One of my best assets."),
)

STEPS: tuple[Step, ...] = (
    Step(
        "life_phase",
        "Which season of life are you in right now?",
        "Your game starts in this season. You can change it later (after four weeks).",
        choices=(
            ("SPRING", "Spring", "Planning and preparing something new."),
            ("SUMMER", "Summer", "Full output: building, shipping, earning."),
            ("AUTUMN", "Autumn", "Harvesting and consolidating what you built."),
            ("WINTER", "Winter", "Resting and recovering."),
        ),
    ),
    Step(
        "months_saved",
        "How many months of expenses could your savings cover?",
        "A rough figure is fine, from 0 to 120. Half months are allowed (2.5).",
        number={"min": "0", "max": "120", "step": "0.5", "inputmode": "decimal"},
        unit="months",
        message="Enter a number of months from 0 to 120.",
    ),
    Step("health", "How is your health these days?", "Body, sleep and energy.", STRENGTHS),
    Step(
        "income_sources",
        "How many sources of income do you have?",
        "A job, a business, rent, dividends … count each one, from 1 to 10.",
        number={"min": "1", "max": "10", "step": "1", "inputmode": "numeric"},
        unit="sources",
        message="Enter a whole number from 1 to 10.",
    ),
    Step(
        "purpose", "How clear is your sense of purpose?", "Knowing what matters to you.", STRENGTHS
    ),
    Step(
        "options",
        "How many real options would you have if your situation changed tomorrow?",
        "Other jobs, skills to sell, places to go, people to ask: from 1 to 10.",
        number={"min": "1", "max": "10", "step": "1", "inputmode": "numeric"},
        unit="options",
        message="Enter a whole number from 1 to 10.",
    ),
    Step(
        "stress",
        "How well do you handle stress?",
        "Your buffers and boundaries.",
        (
            ("low", "Not well", "Stress knocks me over."),
            ("medium", "So-so", "I cope, at a cost."),
            ("high", "Well", "I have routines that work."),
            ("very_high", "Very well", "Hard weeks rarely shake me."),
        ),
    ),
    Step(
        "experience",
        "How experienced are you with goals, habits and money?",
        "This sets your starting XP.",
        (
            ("beginner", "Beginner", "This is new to me."),
            ("some", "Some", "I have tried a few systems."),
            ("experienced", "Experienced", "I track and plan regularly."),
            ("very_experienced", "Very experienced", "I could teach it."),
        ),
    ),
)
NAMES = tuple(s.name for s in STEPS)
MESSAGES = {s.name: s.message for s in STEPS}


def welcome_page(
    request: Request, viewer: Viewer, *, step: int, form: PageForm, status: int = 200
) -> Response:
    """Step `step` (1–8) of the questionnaire with the answers so far kept in the form."""
    return render(
        request,
        "players/welcome.html",
        viewer=viewer,
        status=status,
        form=form,
        step=STEPS[step - 1],
        number=step,
        total=len(STEPS),
        earlier=[name for name in NAMES if name != STEPS[step - 1].name],
    )


@router.get("/welcome")
async def welcome(request: Request, viewer: PageViewer, scope: ScopeDep) -> Response:
    state = await service.get_state(scope, user=viewer.user, now=clock.now())
    if state.questionnaire_done:
        return redirect(request, "/", Flash("info", "You have already answered the questions."))
    return welcome_page(request, viewer, step=1, form=PageForm.blank())


def _step_number(form: PageForm) -> int:
    text = form.value("step")
    return min(max(int(text), 1), len(STEPS)) if text.isdigit() else 1


@router.post("/welcome")
async def welcome_answer(request: Request, viewer: FormViewer, scope: ScopeDep) -> Response:
    form = await PageForm.read(request)
    step = _step_number(form)
    if form.value("action") == "back":
        return welcome_page(
            request, viewer, step=max(step - 1, 1), form=PageForm(values=form.values)
        )
    answers = form.validate(QuestionnaireIn, messages=MESSAGES)
    reached = NAMES[:step]
    wrong = [name for name in reached if form.error(name)]
    form.errors = {k: v for k, v in form.errors.items() if k in reached}
    if wrong:
        first = NAMES.index(wrong[0]) + 1
        raise ShowPage(welcome_page(request, viewer, step=first, form=form, status=422))
    if step < len(STEPS) or answers is None:
        return welcome_page(request, viewer, step=step + 1, form=PageForm(values=form.values))
    await submissions.once(request, scope, form, user_id=viewer.user.id, now=clock.now())
    try:
        state = await service.answer_questionnaire(
            scope, user=viewer.user, now=clock.now(), answers=answers
        )
    except QuestionnaireAlreadyDone:
        raise ShowPage(
            redirect(request, "/", Flash("info", "You have already answered the questions."))
        ) from None
    rank = state.rank.name.replace("_", " ").title()
    return await submissions.done(
        request,
        scope,
        form,
        to="/",
        flash=Flash(
            "success",
            f"Your starting point is set: {rank}, level {state.rank.level}, in "
            f"{state.season.name.value.title()}. This is your day.",
        ),
    )
