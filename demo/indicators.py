"""The figures of the seed reports beyond membership: reported figures, norms and union ratings.

Named federations report what their reports say, on the report's date; the city-wide sums
of 2021–2023 are year-end reports of every federation that add up to the stated totals;
every grassroots union active at the end of 2021, 2022 and 2023 is rated so that the
state-sector and non-state shares of the reports hold, and every federation good or better.
Quotas of reported indicators weigh 0 in the demo's emulation scorecard: shown against
their plan, they leave the membership rankings of every year as they were.
"""

from __future__ import annotations

import datetime
import math
import random
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from branches.models import Federation, GrassrootsUnion
from targets.models import GOOD_GRADES, FederationRating, Grade, Indicator, UnionRating
from targets.progress import STATE_SECTORS
from targets.services import quota_set, report_set

D = datetime.date
UNSCORED = Decimal(0)

# (federation, as of, indicator, value), as the seed reports give them.
NAMED_REPORTS = [
    ("my-duc", D(2021, 6, 30), "party_referrals", 71),
    ("my-duc", D(2021, 6, 30), "party_admissions", 40),
    ("son-tay", D(2020, 12, 31), "training_sessions", 3),
    ("son-tay", D(2020, 12, 31), "officers_trained", 2035),  # "over 2.000 attendances"
    ("son-tay", D(2020, 12, 31), "party_referrals", 202),
    ("son-tay", D(2020, 12, 31), "party_admissions", 140),
    ("thanh-xuan", D(2024, 12, 31), "officers_trained", 1058),
    ("thanh-xuan", D(2024, 12, 31), "party_referrals", 270),
    ("ba-dinh", D(2020, 12, 31), "officers_trained", 361),
    ("ba-dinh", D(2020, 12, 31), "party_admissions", 116),
]
# (federation, year, indicator, target, rate): Thanh Xuân trained 91% of its plan; Ba Đình's
# norm is one referral per active grassroots union.
NAMED_QUOTAS = [
    ("thanh-xuan", 2024, "officers_trained", 1163, None),
    ("ba-dinh", 2020, "party_referrals", None, Decimal(1)),
]

CITY_YEARS = (2021, 2022, 2023)
# The city's 2021–2023 totals, reported by its federations at each year's end.
CITY_TOTALS = {
    "training_sessions": 4132,
    "session_participants": 620333,
    "welfare_agreements": 306,
    "welfare_beneficiaries": 1006708,
    "welfare_value": 39_280_000_000,  # "over 39 billion đồng"
}
# 620.333 reached of a plan of 652.982: 95,0%.
PARTICIPANTS_PLAN = 652982
# Shares of grassroots unions rated good or excellent, each year (over 93% and over 55%).
STATE_GOOD, NON_STATE_GOOD = Decimal("0.94"), Decimal("0.56")


def _split(total: int, weights: list[float]) -> list[int]:
    """`total` in whole parts proportional to `weights` (largest remainder), summing exactly."""
    scale = sum(weights)
    exact = [total * w / scale for w in weights]
    parts = [math.floor(x) for x in exact]
    for i in sorted(range(len(exact)), key=lambda i: (parts[i] - exact[i], i))[: total - sum(parts)]:
        parts[i] += 1
    return parts


def load(seed: int = 2021) -> dict[str, int]:
    """Write the reports, the norms and plans, and the ratings (after the unions are loaded)."""
    rng = random.Random(seed)
    federations = {fed.code: fed for fed in Federation.objects.order_by("code")}
    indicators = {ind.code: ind for ind in Indicator.objects.all()}
    reports = quotas = 0
    with translation.override(settings.LANGUAGE_CODE):
        reason = gettext("Assigned by the city federation for the year")
    for code, year, indicator, target, rate in NAMED_QUOTAS:
        if code in federations:
            quota_set(
                federation=federations[code],
                year=year,
                metric=indicator,
                target=target,
                rate=rate,
                weight=UNSCORED,
                reason=reason,
            )
            quotas += 1
    for code, as_of, indicator, value in NAMED_REPORTS:
        if code in federations:
            report_set(
                federation=federations[code], indicator=indicators[indicator], as_of=as_of, value=value
            )
            reports += 1

    codes = sorted(federations)
    cells = [(year, code) for year in CITY_YEARS for code in codes]
    weights = [rng.uniform(0.5, 1.5) * (1 + 0.05 * CITY_YEARS.index(year)) for year, _ in cells]
    shares = {name: _split(total, weights) for name, total in CITY_TOTALS.items()}
    plans = _split(PARTICIPANTS_PLAN, [w * rng.uniform(0.9, 1.1) for w in weights])
    for i, (year, code) in enumerate(cells):
        federation = federations[code]
        for name in CITY_TOTALS:
            report_set(
                federation=federation,
                indicator=indicators[name],
                as_of=D(year, 12, 31),
                value=shares[name][i],
            )
            reports += 1
        if plans[i]:
            quota_set(
                federation=federation,
                year=year,
                metric="session_participants",
                target=plans[i],
                weight=UNSCORED,
                reason=reason,
            )
            quotas += 1
    # 45 of 45 upper-level unions rated good or excellent, each year
    graded = [
        FederationRating(federation=federations[code], year=year, grade=rng.choice(GOOD_GRADES))
        for year in CITY_YEARS for code in codes
    ]
    FederationRating.objects.bulk_create(graded)
    return {"report": reports, "indicator quota": quotas, "rating": _rate_unions(rng) + len(graded)}


def _rate_unions(rng: random.Random) -> int:
    """Every union active at the end of each city year, graded so the shares hold."""
    ratings = []
    for year in CITY_YEARS:
        active = GrassrootsUnion.objects.active_on(D(year, 12, 31)).order_by("pk").values_list("pk", "sector")
        groups: dict[bool, list[int]] = {True: [], False: []}
        for pk, sector in active:
            groups[sector in STATE_SECTORS].append(pk)
        for state, pks in groups.items():
            rng.shuffle(pks)
            good = math.ceil(len(pks) * (STATE_GOOD if state else NON_STATE_GOOD))
            for n, pk in enumerate(pks):
                if n < good:
                    grade = GOOD_GRADES[0] if rng.random() < 0.3 else GOOD_GRADES[1]
                else:
                    grade = Grade.COMPLETED if rng.random() < 0.85 else Grade.NOT_COMPLETED
                ratings.append(UnionRating(union_id=pk, year=year, grade=grade))
    UnionRating.objects.bulk_create(ratings, batch_size=5000)
    return len(ratings)
