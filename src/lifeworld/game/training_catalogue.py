"""The training center's seven modules and 23 tasks (GAME_RULES.md §12).

Ids are stable slugs (`emergency-fund`, task `emergency-fund-3`): services store them.
Main categories: emergency fund and reduce expenses → oxygen (cash-flow stability); increase
income and multiple streams → engines; automate savings → capacity (automation removes monthly
decisions, which protects energy); track expenses → meaning (spending checked against values);
avoid lifestyle inflation → optionality (freedom kept for later).
Rewards (before the capacity reward efficiency, §4): emergency-fund tasks 3/4/5 give oxygen
+1/+2/+3 and task 5 a key, as the rule book says; tasks 1–2 give XP only. The other modules give
modest additive rewards (oxygen in months, gold, a key for finishing a harder module); none sets
water or armor, which are set-type resources and could lower a player's value.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lifeworld.game.ranks import Rank
from lifeworld.game.resources import ResourceChanges
from lifeworld.game.state import Category

D = Decimal


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    module_id: str
    order: int
    title: str
    description: str
    reward: ResourceChanges


@dataclass(frozen=True, slots=True)
class Module:
    id: str
    order: int
    title: str
    description: str
    required_rank: Rank
    required_tasks: int
    main_category: Category
    tasks: tuple[Task, ...]


def _module(
    order: int,
    slug: str,
    title: str,
    description: str,
    rank: Rank,
    required: int,
    main: Category,
    tasks: list[tuple[str, str, ResourceChanges]],
) -> Module:
    built = tuple(
        Task(f"{slug}-{i}", slug, i, t, d, reward) for i, (t, d, reward) in enumerate(tasks, 1)
    )
    return Module(slug, order, title, description, rank, required, main, built)


NONE = ResourceChanges()
MODULES: tuple[Module, ...] = (
    _module(1, "emergency-fund", "Build Emergency Fund",
        "A cash buffer turns a crisis into an inconvenience. Build it one month at a time.",
        Rank.RECRUIT, 0, Category.OXYGEN, [
        ("Work out your monthly survival number",
         "Add up one month of rent or mortgage, utilities, groceries, insurance, transport and "
         "minimum debt payments. This number is the unit your fund is measured in.", NONE),
        ("Open a separate savings account named 'Emergency'",
         "Open a no-fee, high-yield savings account at a different bank from your everyday "
         "account, name it 'Emergency', and do not link a debit card to it.", NONE),
        ("Save your first month of expenses",
         "Move money into the Emergency account until it holds one survival number. Sell one "
         "unused item or pause one expense to get there faster.", ResourceChanges(oxygen=D(1))),
        ("Reach three months of expenses",
         "Keep the automatic transfer running and add windfalls (tax refunds, gifts) until the "
         "account holds three survival numbers.", ResourceChanges(oxygen=D(2))),
        ("Reach six months and write the rules for using it",
         "Grow the fund to six survival numbers, then write down what counts as an emergency "
         "(job loss, medical bill, urgent repair) and how you will refill it after use.",
         ResourceChanges(oxygen=D(3), keys=1)),
    ]),
    _module(2, "increase-income", "Increase Income",
        "Your income is the engine behind every other goal; make sure it is paid fairly.",
        Rank.RECRUIT, 2, Category.ENGINES, [
        ("Research your market rate",
         "Look up pay for your role, seniority and city in at least three sources (salary "
         "surveys, job ads with ranges) and write down the median.", ResourceChanges(gold=D(50))),
        ("List your wins of the last 12 months",
         "Write five results with numbers (revenue, hours saved, customers helped) that you can "
         "bring to a pay conversation.", ResourceChanges(gold=D(50))),
        ("Ask for a raise or raise your rates",
         "Book a meeting with your manager and ask for the market rate, or tell your clients "
         "about a 10% rate increase that starts in 30 days.", ResourceChanges(gold=D(100))),
        ("Apply for one better-paid role",
         "Apply to one role that pays at least 15% more, even if you are happy: an offer is a "
         "fact you can negotiate with.", ResourceChanges(gold=D(100))),
    ]),
    _module(3, "reduce-expenses", "Reduce Expenses",
        "Every recurring cost you drop is a raise you give yourself every month.",
        Rank.RECRUIT, 1, Category.OXYGEN, [
        ("Cancel subscriptions you did not use last month",
         "List every recurring charge on your bank and card statements and cancel each one you "
         "did not use in the last 30 days.", ResourceChanges(oxygen=D("0.25"))),
        ("Renegotiate one fixed bill",
         "Call your phone, internet or insurance provider, quote a competitor's price and ask "
         "for a lower rate; switch if they refuse.", ResourceChanges(oxygen=D("0.25"))),
        ("Plan a week of meals and shop from a list",
         "Plan seven dinners, buy only what is on the list, and compare the week's food spending "
         "with a usual week.", ResourceChanges(oxygen=D("0.25"))),
    ]),
    _module(4, "automate-savings", "Automate Savings",
        "Decisions made once beat willpower used every month.",
        Rank.RECRUIT, 2, Category.CAPACITY, [
        ("Set up an automatic transfer on payday",
         "Schedule a standing order for the day after payday that moves a fixed amount (start "
         "with 5–10% of take-home pay) into savings.", ResourceChanges(oxygen=D("0.5"))),
        ("Put every fixed bill on autopay",
         "Pay all fixed bills from one bills account funded by a single automatic transfer, so "
         "late fees and reminders disappear.", ResourceChanges(oxygen=D("0.5"))),
    ]),
    _module(5, "multiple-income-streams", "Multiple Income Streams",
        "A second engine means losing one income is a setback, not a crisis.",
        Rank.PRIVATE, 5, Category.ENGINES, [
        ("List three skills people would pay for",
         "For each skill write who would pay, how much, and where you would find the first "
         "customer this month.", ResourceChanges(gold=D(100))),
        ("Make your first side-income sale",
         "Sell one small offer outside your job: an hour of tutoring, a repair, a template, or a "
         "used item you no longer need.", ResourceChanges(gold=D(150))),
        ("Separate and set aside tax on side income",
         "Open an account only for side income and move 25–30% of every payment into it for "
         "taxes before you spend any of it.", ResourceChanges(gold=D(150), keys=1)),
    ]),
    _module(6, "track-expenses", "Track Expenses",
        "You cannot steer money you cannot see.",
        Rank.RECRUIT, 1, Category.MEANING, [
        ("List every fixed expense of the last 3 months",
         "From your statements, write each fixed expense with its amount and due date, and total "
         "them per month.", ResourceChanges(oxygen=D("0.25"))),
        ("Categorise one month of spending",
         "Tag every transaction of last month into 8–10 categories (housing, food, transport, "
         "fun…) and total each one.", ResourceChanges(oxygen=D("0.25"))),
        ("Compare your spending with your values",
         "Mark each category 'worth it' or 'not worth it' against your top three values and pick "
         "one to cut by 20% next month.", ResourceChanges(oxygen=D("0.25"))),
    ]),
    _module(7, "avoid-lifestyle-inflation", "Avoid Lifestyle Inflation",
        "Earning more only buys freedom if spending does not rise to meet it.",
        Rank.PRIVATE, 8, Category.OPTIONALITY, [
        ("Decide where your next raise goes before it arrives",
         "Write the split now (for example at least half to saving and investing) and schedule "
         "the transfer change for the day the raise starts.", ResourceChanges(gold=D(100))),
        ("Adopt a 72-hour rule for big purchases",
         "For anything above one day's pay, wait 72 hours and write down why you want it before "
         "you buy.", ResourceChanges(gold=D(100))),
        ("Price your freedom",
         "Divide your savings by your monthly expenses to see how many months of freedom you "
         "own, and set the number you want one year from now.",
         ResourceChanges(gold=D(100), keys=1)),
    ]),
)  # fmt: skip
MODULES_BY_ID: dict[str, Module] = {m.id: m for m in MODULES}
TASKS_BY_ID: dict[str, Task] = {t.id: t for m in MODULES for t in m.tasks}
