"""Hypothesis strategies for small random scenarios that still reach every rule of the spec.

Values are drawn from short lists picked to hit the edges: rates with 3-4 places that
make half-cent ties (0.005, 0.125), splits that do not add up to 1 (0.3333), handovers
on any day, gaps, rare overlaps that push shares above 1, rare plans that credit one
role with one component type twice, negative corrections, late-arriving entries, and
contracts that end (mid-month or at a month's end) and are renewed or won back later.

Profiles: HYPOTHESIS_PROFILE=dev (default, 100 examples) or ci (300); no deadline,
because one example runs a whole cycle of periods.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from compengine.months import first_day, format_period, last_day, month_of, parse_period
from compengine.plan.model import (
    Bonus,
    Clawback,
    Component,
    Expansion,
    FirstPurchase,
    PlanVersion,
    RampRealization,
    SustainedUsage,
    Tier,
    Tiers,
)
from tests.reference.scenario import (
    Account,
    Assignment,
    Contract,
    Scenario,
    UsageEntry,
    make_plan,
)

settings.register_profile(
    "dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

FIRST_MONTH = parse_period("2027-01")
HORIZON = 10  # months 2027-01 .. 2027-10: room for a window and some months after it
FIRST_DAY = date(2026, 12, 1)
LAST_DAY = date(2027, 10, 31)

TYPES = ("first_purchase", "ramp_realization", "sustained_usage", "expansion")
COMPONENT_IDS = {
    "first_purchase": "first-purchase",
    "ramp_realization": "ramp",
    "sustained_usage": "sustain",
    "expansion": "expansion",
}
ROLES = ("AE", "CSM", "AM")
PAYEES = ("p1", "p2", "p3", "p4")
PRODUCTS = ("compute", "storage", "ai")
# Half-cent ties (0.005, 0.125) and long decimals whose denominators multiply past 64 bits
# (a review found an int64 wrap that short decimals never reached).
RATES = ("0.005", "0.125", "0.0125", "0.05", "0.3333", "0.02", "0.5", "1", "0.0377", "0.123456789")
TIER_STARTS = ("0.5", "0.75", "1", "1.5", "0.3331", "0.987654321")
CURVE_VALUES = ("0.25", "0.5", "1", "1.2", "0.3333", "0.6667", "0.1234567")
SPLIT_SETS = (("1",), ("1",), ("0.5", "0.5"), ("0.5", "0.25"), ("0.3333", "0.3333", "0.3333"))
SCOPES: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...] = (
    (),
    (),
    (),
    (),
    (("segment", ("enterprise",)),),
    (("segment", ("enterprise", "mid-market")),),
    (("region", ("emea",)),),
)


def decimals(texts: tuple[str, ...]) -> st.SearchStrategy[Fraction]:
    return st.sampled_from(texts).map(Fraction)


def rarely(one_in: int = 10) -> st.SearchStrategy[bool]:
    """True about once in `one_in` draws (st.booleans() would be true half the time)."""
    return st.integers(1, one_in).map(lambda n: n == 1)


# --- Plans


@st.composite
def first_purchases(draw, role: str) -> FirstPurchase:
    clawback = draw(st.none() | st.builds(Clawback, st.integers(1, 4), st.integers(1, 2)))
    if draw(st.booleans()):
        flat = draw(st.sampled_from((0, 1, 12_345, 50_000)))
        return FirstPurchase(COMPONENT_IDS["first_purchase"], role, flat, clawback=clawback)
    rate = draw(decimals(RATES))
    return FirstPurchase(COMPONENT_IDS["first_purchase"], role, rate=rate, clawback=clawback)


@st.composite
def tiers(draw) -> Tiers:
    starts = sorted(draw(st.sets(decimals(TIER_STARTS), max_size=2)))
    rates = [draw(decimals(RATES)) for _ in range(len(starts) + 1)]
    mode = draw(st.sampled_from(("marginal", "whole")))
    return Tiers(mode, tuple(map(Tier, [Fraction(0), *starts], rates)))


@st.composite
def ramps(draw, role: str, W: int) -> RampRealization:
    shape = draw(st.sampled_from(("linear", "flat", "list")))
    curve = tuple(draw(decimals(CURVE_VALUES)) for _ in range(W)) if shape == "list" else shape
    return RampRealization(
        COMPONENT_IDS["ramp_realization"],
        role,
        curve=curve,
        rate=draw(decimals(RATES)),
        tiers=draw(st.none() | tiers()),
        cap_cents=draw(st.none() | st.sampled_from((1, 5_000, 123_457))),
        bonus=draw(
            st.none()
            | st.builds(
                Bonus,
                decimals(("0.5", "1", "1.2")),
                st.sampled_from((1, 10_000, 33_333, 10_000_000)),
            )
        ),
    )


@st.composite
def sustains(draw, role: str) -> SustainedUsage:
    return SustainedUsage(
        COMPONENT_IDS["sustained_usage"],
        role,
        rate=draw(decimals(RATES)),
        min_retention=draw(decimals(("0", "0.5", "0.9", "1"))),
        duration_months=draw(st.none() | st.integers(1, 4)),
    )


@st.composite
def expansions(draw, role: str) -> Expansion:
    return Expansion(
        COMPONENT_IDS["expansion"],
        role,
        rate=draw(decimals(RATES)),
        threshold=draw(decimals(("0", "0.1", "0.125", "0.5"))),
    )


@st.composite
def components(draw, kind: str, role: str, W: int) -> Component:
    """One component of the given type; only a ramp's curve depends on the window length."""
    if kind == "ramp_realization":
        return draw(ramps(role, W))
    others = {
        "first_purchase": first_purchases,
        "sustained_usage": sustains,
        "expansion": expansions,
    }
    return draw(others[kind](role))


@st.composite
def effective_ranges(draw) -> list[tuple[int, int | None]]:
    """One or two non-overlapping month ranges, maybe with a gap between them."""
    start = FIRST_MONTH + draw(st.sampled_from((0, 0, 0, 1, 2)))
    if draw(st.booleans()):
        return [(start, draw(open_or_later(start)))]
    end = start + draw(st.integers(1, 5))
    second = end + 1 + draw(st.integers(0, 1))
    return [(start, end), (second, draw(open_or_later(second)))]


def open_or_later(start: int) -> st.SearchStrategy[int | None]:
    return st.none() | st.none() | st.integers(start + 2, start + HORIZON)


@st.composite
def plan_ids(draw, plan_id: str, roles: dict[str, str]) -> list[PlanVersion]:
    """The versions of one plan: same component ids, types and roles; new parameters."""
    versions = []
    for number, (start, end) in enumerate(draw(effective_ranges()), start=1):
        W = draw(st.integers(1, 4))
        version = make_plan(
            plan_id,
            tuple(draw(components(kind, role, W)) for kind, role in roles.items()),
            version=number,
            effective=(format_period(start), None if end is None else format_period(end)),
            scope=draw(st.sampled_from(SCOPES)),
            window_months=W,
            baseline_months=draw(st.integers(1, W)),
        )
        versions.append(version)
    return versions


@st.composite
def plans(draw) -> tuple[PlanVersion, ...]:
    """1-3 plan ids; a role gets each component type from one plan only, except rarely."""
    allow_conflict = draw(rarely())
    taken: set[tuple[str, str]] = set()
    versions: list[PlanVersion] = []
    for plan_id in ("plan-a", "plan-b", "plan-c")[: draw(st.integers(1, 3))]:
        roles: dict[str, str] = {}
        for kind in sorted(draw(st.sets(st.sampled_from(TYPES), min_size=1))):
            free = [r for r in ROLES if allow_conflict or (kind, r) not in taken]
            roles[kind] = draw(st.sampled_from(free))
            taken.add((kind, roles[kind]))
        versions += draw(plan_ids(plan_id, roles))
    return tuple(versions)


# --- Ledger


@st.composite
def accounts(draw) -> tuple[Account, ...]:
    return tuple(
        Account(
            f"a{n}",
            f"Account {n}",
            parent_id=draw(st.none() | st.just("a1")) if n > 1 else None,
            segment=draw(st.sampled_from(("enterprise", "enterprise", "mid-market", "smb", None))),
            region=draw(st.sampled_from(("emea", "amer", None))),
        )
        for n in range(1, draw(st.integers(1, 3)) + 1)
    )


@st.composite
def holder_chains(draw, account_id: str, role: str) -> list[Assignment]:
    """Holders of one role on one account: handovers on any day, gaps, splits, rare overlaps."""
    if draw(rarely()):
        return []
    handovers = draw(st.sets(st.dates(FIRST_DAY, LAST_DAY), max_size=2))
    starts = sorted({draw(st.just(FIRST_DAY) | st.dates(FIRST_DAY, LAST_DAY)), *handovers})
    rows: list[Assignment] = []
    for i, start in enumerate(starts):
        end = None
        if i + 1 < len(starts):
            gap = draw(st.sampled_from((0, 0, 1, 20)))
            end = max(start, starts[i + 1] - timedelta(days=1 + gap))
        splits = draw(st.sampled_from(SPLIT_SETS))
        payees = draw(st.permutations(PAYEES))[: len(splits)]
        rows += [
            Assignment(account_id, payee, role, start, end, Fraction(split))
            for payee, split in zip(payees, splits, strict=True)
        ]
    if draw(rarely(one_in=30)):
        payee = draw(st.sampled_from(PAYEES))
        start = draw(st.dates(FIRST_DAY, LAST_DAY))
        if all((row.payee_id, row.start) != (payee, start) for row in rows):
            split = draw(decimals(("1", "0.5", "0.25")))
            rows.append(Assignment(account_id, payee, role, start, None, split))
    return rows


@st.composite
def contracts(draw, account_id: str) -> list[Contract]:
    """One for all products, or up to two with disjoint product scopes; none on some accounts.
    Each scope may end (mid-month or on a month's last day) and be renewed after it."""
    layouts = [((),), ((),), ((),), (("compute",),), (("compute",), ("storage", "ai"))]
    if account_id != "a1":
        layouts.append(())
    chains = [draw(renewals(products)) for products in draw(st.sampled_from(layouts))]
    return [
        Contract(f"{account_id}-k{n}", account_id, signed_on, commit, products, ends_on)
        for n, (signed_on, commit, products, ends_on) in enumerate(
            (term for chain in chains for term in chain), start=1
        )
    ]


LAST_MONTH = FIRST_MONTH + HORIZON - 1


@st.composite
def renewals(draw, products: tuple[str, ...]) -> list[tuple]:
    """(signed_on, commit, products, ends_on) of up to 3 successive contracts on one scope: an
    ended one renewed the month after its end (a renewal) or months later (a win-back)."""
    terms = []
    signed_on = draw(st.dates(date(2027, 1, 1), date(2027, 4, 30)))
    while True:
        month_ends = st.integers(month_of(signed_on), LAST_MONTH).map(last_day)
        ends_on = draw(st.none() | st.none() | st.dates(signed_on, LAST_DAY) | month_ends)
        commit = draw(decimals(("0", "100", "250.5", "1000", "333.33")))
        terms.append((signed_on, commit, products, ends_on))
        if ends_on is None or len(terms) == 3 or not draw(st.booleans()):
            return terms
        renewed = month_of(ends_on) + draw(st.sampled_from((1, 1, 2, 3)))
        if renewed > LAST_MONTH:
            return terms
        signed_on = draw(st.dates(first_day(renewed), last_day(renewed)))


@st.composite
def usage_entries(draw, account_id: str, products: list[str], steps: int) -> list[UsageEntry]:
    """About one entry a month plus a few extra: zero months, corrections below zero, entries
    arriving at a later cycle step. Products are mostly those of the account's contracts."""
    cents = st.sampled_from((0, 1, 25, 50, 12_345)) | st.integers(-60_000, 200_000)
    product = st.sampled_from(products) | st.sampled_from(("", *PRODUCTS))
    late = st.sampled_from((0, 0, 0, steps - 1))
    monthly = [
        draw(st.dates(first_day(m), last_day(m)))
        for m in range(FIRST_MONTH - 1, FIRST_MONTH + HORIZON)
    ]
    extra = draw(st.lists(st.dates(FIRST_DAY, LAST_DAY), max_size=3))
    return [
        UsageEntry(
            f"{account_id}-u{n}",
            account_id,
            day,
            Fraction(draw(cents), 100),
            draw(product),
            arrives=draw(late),
        )
        for n, day in enumerate([*monthly, *extra])
    ]


@st.composite
def scenarios(draw, steps: int = 1) -> Scenario:
    """A whole input: `steps` is the length of the cycle late entries may arrive in."""
    plan_versions = draw(plans())
    roles = sorted({c.role for v in plan_versions for c in v.components})
    account_list = draw(accounts())
    assignments, contract_list, usage = [], [], []
    for account in account_list:
        for role in roles:
            assignments += draw(holder_chains(account.account_id, role))
        account_contracts = draw(contracts(account.account_id))
        products = [p for c in account_contracts for p in c.products or ("",)] or [""]
        contract_list += account_contracts
        usage += draw(usage_entries(account.account_id, products, steps))
    return Scenario(
        accounts=account_list,
        assignments=tuple(assignments),
        contracts=tuple(contract_list),
        usage=tuple(usage),
        plans=plan_versions,
    )


def periods(max_size: int = 4) -> st.SearchStrategy[list[str]]:
    """Period sequences in any order: in order, skipping, running late, re-running."""
    return st.lists(months(), min_size=1, max_size=max_size)


def months() -> st.SearchStrategy[str]:
    """A month of the horizon; the simplest is the last one, where the most has happened."""
    return st.integers(0, HORIZON - 1).map(lambda n: format_period(FIRST_MONTH + HORIZON - 1 - n))


@st.composite
def cycles(draw) -> tuple[Scenario, list[str]]:
    sequence = draw(periods())
    return draw(scenarios(steps=len(sequence))), sequence
