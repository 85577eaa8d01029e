"""The home investigation's parts (入户调查): who investigated, and what they found written to the registry.

Choice made here: the incomes and assets found are written to the resident registry through its own services
(registry.services.income_add / asset_add, which check the officer's grant and write the audit trail), not
kept only on the investigation. The quote (programs.calculations.quote) reads the registry, so the amount the
town reviews, the what-if a resident runs, and every later re-check see the same figures. The investigation
record keeps what was entered and the ids of the registry rows created or confirmed.

An income already in the registry for the same member and category in the visit month is *confirmed* when the
amount is the same; when it differs the step is refused, naming the row, because the registry has no service
to end-date an income yet (requested in the report) and adding a second row would count the income twice.
"""

from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q

from accounts.policy import area_in_scope
from casework.models import Case
from casework.selectors import close_relative_conflict, user_level
from casework.workflows import DISTRICT
from programs.calculations.money import first_of_month, money
from registry.models import Asset, Income, IncomeCategory
from registry.services import asset_add, income_add

INVESTIGATION_RULE = "入户调查须由至少两名不同的工作人员进行（《最低生活保障审核确认办法》第十六条）"
MAX_ITEMS = 50


def _name(user) -> str:
    return (user.get_full_name() or user.username).strip()


def investigators_check(case: Case, ids) -> tuple[list, bool]:
    """The investigators (≥ 2 different active staff in charge of the case's area, none a declared close
    relative of the household) and whether one of them is from the district (区县民政部门)."""
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise ValidationError({"investigators": ["investigators（调查人员）应为用户编号列表"]})
    if len(ids) < 2 or len(set(ids)) != len(ids):
        raise ValidationError({"investigators": [INVESTIGATION_RULE]})
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=ids, is_active=True).select_related("area")}
    missing = [str(i) for i in ids if i not in users]
    if missing:
        raise ValidationError({"investigators": [f"调查人员（编号 {'、'.join(missing)}）不存在或已停用"]})
    people = [users[i] for i in ids]
    for user in people:
        if not area_in_scope(user, case.area_id):
            raise ValidationError({"investigators": [f"调查人员{_name(user)}不负责本案所在区划"]})
        conflict = close_relative_conflict(user=user, case=case)
        if conflict is not None:
            raise ValidationError({"investigators": [
                f"回避规则：调查人员{_name(user)}是本案家庭成员{conflict.relative.name}的近亲属，不得参与入户调查"]})
    return people, any(user_level(u) == DISTRICT for u in people)


def _item_field(items, field: str) -> list[dict]:
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items) or len(items) > MAX_ITEMS:
        raise ValidationError({field: [f"{field} 应为对象列表（最多 {MAX_ITEMS} 项）"]})
    return items


def _member(case: Case, person_id, field: str, index: int):
    member = case.household.members.filter(person_id=person_id, is_active=True).select_related("person").first() \
        if isinstance(person_id, int) else None
    if member is None:
        raise ValidationError({field: [f"第{index}项：人员（编号 {person_id}）不是本家庭的在户成员"]})
    return member.person


def _amount(value, field: str, index: int, label: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        number = None
    if number is None or not number.is_finite() or number < 0 or number >= Decimal("1e9"):
        raise ValidationError({field: [f"第{index}项：{label}应为不小于0的金额（元）"]})
    return number.quantize(Decimal("0.01"))


def incomes_record(*, case: Case, items, acting_user, visited_on) -> list[dict]:
    """Write (or confirm) each income found; returns what was entered with the registry row ids."""
    items = _item_field(items, "incomes")
    if items and case.household is None:
        raise ValidationError({"incomes": ["该申请没有家庭登记，不能登记收入；请先在居民信息库建立家庭"]})
    month, recorded = first_of_month(visited_on), []
    for index, item in enumerate(items, start=1):
        person = _member(case, item.get("person"), "incomes", index)
        category = IncomeCategory.objects.filter(code=item.get("category")).first() \
            if isinstance(item.get("category"), str) else None
        if category is None:
            raise ValidationError({"incomes": [f"第{index}项：收入类别不存在：{item.get('category')}"]})
        amount = _amount(item.get("monthly_amount"), "incomes", index, "月收入")
        row = _income_row(case, person, category, amount, month, index, acting_user)
        recorded.append({"person": person.pk, "name": person.name, "category": category.code,
                         "category_name": category.name, "monthly_amount": money(amount), "income": row.pk})
    return recorded


def _income_row(case, person, category, amount: Decimal, month, index: int, acting_user) -> Income:
    existing = (Income.objects.filter(household=case.household, person=person, category=category,
                                      start_month__lte=month)
                .filter(Q(end_month__isnull=True) | Q(end_month__gte=month)).order_by("-start_month").first())
    if existing is None:
        return income_add(acting_user=acting_user, household=case.household, person=person, category=category.code,
                          monthly_amount=amount, start_month=month, note=f"入户调查（案件{case.pk}）")
    if existing.monthly_amount != amount:
        raise ValidationError({"incomes": [
            f"第{index}项：居民信息库已登记{person.name}的{category.name}每月 {money(existing.monthly_amount)} 元"
            f"（收入记录 {existing.pk}，自 {existing.start_month:%Y年%m月}起），与调查结果 {money(amount)} 元不一致；"
            "请先截止原收入记录，再录入调查结果"]})
    return existing


def assets_record(*, case: Case, items, acting_user) -> list[dict]:
    """Write each property item found (an identical row already registered is confirmed, not duplicated)."""
    items = _item_field(items, "assets")
    if items and case.household is None:
        raise ValidationError({"assets": ["该申请没有家庭登记，不能登记财产；请先在居民信息库建立家庭"]})
    recorded = []
    for index, item in enumerate(items, start=1):
        kind = item.get("kind")
        if kind not in Asset.Kind.values:
            raise ValidationError({"assets": [f"第{index}项：财产类别不正确：{kind}"]})
        value = _amount(item.get("value"), "assets", index, "价值")
        person = _member(case, item["person"], "assets", index) if item.get("person") is not None else None
        description = str(item.get("description") or "")[:200]
        exempt = item.get("exempt") is True
        row = (Asset.objects.filter(household=case.household, person=person, kind=kind, value=value,
                                    description=description, exempt=exempt).first()
               or asset_add(acting_user=acting_user, household=case.household, kind=kind, value=value,
                            description=description, exempt=exempt, person=person))
        recorded.append({"kind": kind, "value": money(value), "description": description, "exempt": exempt,
                         "person": getattr(person, "pk", None), "asset": row.pk})
    return recorded
