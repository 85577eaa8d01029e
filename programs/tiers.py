"""分档补助 (tiered amounts): the read and the write of a programme's `AmountTier` rows.

《最低生活保障审核确认办法》第二十三条 lets the county pay 低保金 either as the gap (差额) or by tiers (分档).
A tier set is data — income ranges and the amount per person, with a validity period, an area and a source — and is off
unless a district sets one (none is seeded: no verified district figures were found).

- `amount_tiers_at(program, area_code, month)`: the tiers in force, from the most specific area that has any
  (the same rule as `parameter_at`); an empty list means the programme's ordinary formula applies.
- `amount_tiers_set(...)`: a new tier set from `valid_from` for an area; the set in force is end-dated the day
  before (history is kept, rows are never edited), with the change log. The ranges must not overlap.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from accounts.policy import allowed, area_in_scope
from areas.codes import area_ancestor_codes
from audit.models import ChangeLog
from audit.services import change_log_write, snapshot
from programs.models import AmountTier, Program


def amount_tiers_at(program: Program | str, area_code: str, month: date) -> list[AmountTier]:
    """The tiers in force on the first day of `month` for the division, lowest income first ([] = none)."""
    code = program.code if isinstance(program, Program) else program
    on = month.replace(day=1)
    rows = list(AmountTier.objects.filter(program_id=code, area_code__in=area_ancestor_codes(area_code),
                                          valid_from__lte=on)
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)).order_by("-area_code", "income_from"))
    if not rows:
        return []
    most_specific = rows[0].area_code
    return [row for row in rows if row.area_code == most_specific]


def _money(value, field: str, label: str, *, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise ValidationError({field: [f"请填写{label}"]})
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [f"{label}应为金额（元）"]}) from None
    if not number.is_finite() or number < 0:
        raise ValidationError({field: [f"{label}应为不小于0的金额（元）"]})
    return number.quantize(Decimal("0.01"))


def _clean(tiers: list[dict]) -> list[tuple[Decimal, Decimal | None, Decimal]]:
    if not tiers:
        raise ValidationError({"tiers": ["请至少填写一档"]})
    rows = []
    for n, tier in enumerate(tiers, start=1):
        low = _money(tier.get("income_from"), "tiers", f"第{n}档月人均收入下限")
        high = _money(tier.get("income_to"), "tiers", f"第{n}档月人均收入上限", required=False)
        amount = _money(tier.get("amount"), "tiers", f"第{n}档每人每月补助")
        if high is not None and high <= low:
            raise ValidationError({"tiers": [f"第{n}档：月人均收入上限应大于下限"]})
        rows.append((low, high, amount))
    rows.sort(key=lambda r: r[0])
    for (_, high, _), (next_low, _, _) in zip(rows, rows[1:], strict=False):
        if high is None or high > next_low:
            raise ValidationError({"tiers": [f"各档收入区间不能重叠（{next_low} 元所在区间重复）"]})
    return rows


@transaction.atomic
def amount_tiers_set(*, acting_user, program: Program | str, area_code: str, valid_from: date, tiers: list[dict],
                     source: str, verified: bool = False) -> list[AmountTier]:
    """设定分档补助标准 for an area from `valid_from` (a month's first day); replaces the set in force there."""
    if not allowed(acting_user, "policy", "change"):
        raise PermissionDenied("无修改政策参数的权限")
    if not area_in_scope(acting_user, area_code):
        raise PermissionDenied("该区划不在您的管辖范围内")
    code = program.code if isinstance(program, Program) else program
    if not Program.objects.filter(code=code).exists():
        raise ValidationError({"program": [f"项目不存在：{code}"]})
    if valid_from.day != 1:
        raise ValidationError({"valid_from": ["生效日期应为某月1日"]})
    if not (source or "").strip():
        raise ValidationError({"source": ["请填写依据文件"]})
    rows = _clean(tiers)
    current = AmountTier.objects.select_for_update().filter(program_id=code, area_code=area_code,
                                                            valid_to__isnull=True)
    for tier in current:
        if tier.valid_from >= valid_from:
            raise ValidationError({"valid_from": [f"生效日期应晚于现行分档的生效日期（{tier.valid_from:%Y-%m-%d}）"]})
        before = snapshot(tier)
        tier.valid_to = valid_from - timedelta(days=1)
        tier.save(update_fields=["valid_to"])
        change_log_write(instance=tier, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(tier),
                         acting_user=acting_user, reason="新分档标准生效，原分档截止")
    created = [AmountTier.objects.create(program_id=code, area_code=area_code, income_from=low, income_to=high,
                                         amount=amount, valid_from=valid_from, source=source.strip()[:200],
                                         verified=bool(verified), created_by=acting_user)
               for low, high, amount in rows]
    for tier in created:
        change_log_write(instance=tier, action=ChangeLog.Action.CREATE, before=None, after=snapshot(tier),
                         acting_user=acting_user, reason="设定分档补助标准")
    return created


# ---- reads for the 分档 page ----------------------------------------------------------------------------------


def tiered_programs():
    """The active programmes whose amount function pays by tiers where a district set them."""
    from programs.calculations.base import tiered_calculators

    return Program.objects.filter(active=True, calculator__in=tiered_calculators()).order_by("sort", "code")


@dataclass(frozen=True)
class TierSet:
    """One set of tiers set together for an area (the same `valid_from`): its period, source and rows."""

    valid_from: date
    valid_to: date | None
    source: str
    verified: bool
    created_by: object
    tiers: list[AmountTier]


def amount_tier_history(program: Program | str, area_code: str) -> list[TierSet]:
    """Every tier set of the programme set for exactly this area, newest first (the one in force has no end)."""
    code = program.code if isinstance(program, Program) else program
    rows = (AmountTier.objects.filter(program_id=code, area_code=area_code).select_related("created_by")
            .order_by("-valid_from", "income_from"))
    sets: dict[date, list[AmountTier]] = {}
    for row in rows:
        sets.setdefault(row.valid_from, []).append(row)
    return [TierSet(valid_from=start, valid_to=tiers[0].valid_to, source=tiers[0].source,
                    verified=all(t.verified for t in tiers), created_by=tiers[0].created_by, tiers=tiers)
            for start, tiers in sets.items()]
