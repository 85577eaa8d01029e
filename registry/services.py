"""Registry actions (居民信息库业务操作). Each public function is one business action: it checks the
acting user's grant and area, validates, writes inside one transaction, and records history and events."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.policy import allowed, area_in_scope
from areas.models import Area, AreaLevel
from audit.models import ChangeLog, EventType
from audit.services import change_log_write, domain_event_write, snapshot
from registry.identity import InvalidIdNumber, InvalidPhone, normalise_phone, parse_id_number
from registry.models import (
    Asset,
    Disability,
    Household,
    HouseholdMember,
    Income,
    IncomeCategory,
    Person,
    Relation,
)
from registry.names import name_keys
from registry.signals import person_died

PERSON_EDITABLE = ("name", "phone", "area_id", "other_document", "no_id_reason")


def _require(user, resource: str, action: str, area_code: str | None = None) -> None:
    """Refuse unless the user holds the grant and, when given, the area is theirs."""
    if not allowed(user, resource, action):
        raise PermissionDenied("无此操作权限")
    if area_code is not None and not area_in_scope(user, area_code):
        raise PermissionDenied("该区划不在您的管辖范围内")


def community_area(code: str, field: str = "area") -> Area:
    """The community (村社区) a record is put in; scoped records always point at this level."""
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise ValidationError({field: [f"区划代码不存在：{code}"]})
    if area.level != AreaLevel.COMMUNITY:
        raise ValidationError({field: ["请选择村（社区）一级的区划"]})
    if area.valid_to is not None:
        raise ValidationError({field: ["该区划已停用，请选择现行区划"]})
    return area


def _phone(value: str | None) -> str:
    try:
        return normalise_phone(value)
    except InvalidPhone as exc:
        raise ValidationError({"phone": [str(exc)]}) from exc


def _identity_fields(id_number: str | None, no_id_reason: str) -> dict:
    if id_number:
        try:
            facts = parse_id_number(id_number)
        except InvalidIdNumber as exc:
            raise ValidationError({"id_number": [str(exc)]}) from exc
        if Person.objects.filter(id_number=facts.number).exists():
            raise ValidationError({"id_number": ["该身份证号已登记"]})
        return {"id_number": facts.number, "birth_date": facts.birth_date, "sex": facts.sex, "no_id_reason": ""}
    if not no_id_reason:
        raise ValidationError({"id_number": ["请填写身份证号；无身份证号时须注明原因"]})
    if no_id_reason not in Person.NoIdReason.values:
        raise ValidationError({"no_id_reason": ["无身份证号原因不在可选范围内"]})
    return {"id_number": None, "no_id_reason": no_id_reason}


@transaction.atomic
def person_create(*, acting_user, name: str, area_code: str, id_number: str | None = None,
                  no_id_reason: str = "", other_document: str = "", phone: str = "", sex: str = "",
                  birth_date: date | None = None) -> Person:
    """登记人员. Sex and birth date come from the ID number when there is one."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["姓名不能为空"]})
    area = community_area(area_code)
    _require(acting_user, "person", "add", area.code)
    fields = {"sex": sex, "birth_date": birth_date, **_identity_fields(id_number, no_id_reason)}
    pinyin, initials = name_keys(name)
    person = Person(name=name, name_pinyin=pinyin, name_initials=initials, area=area, phone=_phone(phone),
                    other_document=other_document, **fields)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent registration of the same number
        raise ValidationError({"id_number": ["该身份证号已登记"]}) from exc
    change_log_write(instance=person, action=ChangeLog.Action.CREATE, before=None, after=snapshot(person),
                     acting_user=acting_user)
    domain_event_write(type=EventType.PERSON_REGISTERED, message=f"登记人员 {name}", person=person,
                       acting_user=acting_user)
    return person


@transaction.atomic
def person_update(*, acting_user, person: Person, **changes) -> Person:
    """修改人员信息. Identity (ID number, birth date, sex) is not edited here: it comes from the number."""
    unknown = set(changes) - set(PERSON_EDITABLE)
    if unknown:
        raise ValidationError({k: ["该字段不可在此修改"] for k in unknown})
    _require(acting_user, "person", "change", person.area_id)
    if "area_id" in changes:
        changes["area_id"] = community_area(changes["area_id"]).code
        _require(acting_user, "person", "change", changes["area_id"])
    if "phone" in changes:
        changes["phone"] = _phone(changes["phone"])
    before = snapshot(person)
    for field, value in changes.items():
        setattr(person, field, value)
    if "name" in changes:
        person.name_pinyin, person.name_initials = name_keys(person.name)
    person.save()
    change_log_write(instance=person, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(person),
                     acting_user=acting_user)
    return person


@transaction.atomic
def person_record_death(*, acting_user, person: Person, death_date: date) -> Person:
    """登记死亡: a status with a date, never a deletion; the person leaves their household that day."""
    _require(acting_user, "person", "change", person.area_id)
    if death_date > date.today():
        raise ValidationError({"death_date": ["死亡日期不能晚于今天"]})
    if person.birth_date and death_date < person.birth_date:
        raise ValidationError({"death_date": ["死亡日期不能早于出生日期"]})
    before = snapshot(person)
    person.status, person.death_date = Person.Status.DECEASED, death_date
    person.save(update_fields=["status", "death_date", "updated_at"])
    change_log_write(instance=person, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(person),
                     acting_user=acting_user, reason="登记死亡")
    for membership in person.memberships.filter(is_active=True).select_related("household"):
        _member_leave(membership=membership, on=death_date, acting_user=acting_user, reason="死亡")
    domain_event_write(type=EventType.PERSON_DIED, message=f"登记死亡（{death_date:%Y-%m-%d}）", person=person,
                       acting_user=acting_user, params={"death_date": death_date.isoformat()})
    person_died.send(sender=Person, person=person, acting_user=acting_user)
    return person


def _member_leave(*, membership: HouseholdMember, on: date, acting_user, reason: str) -> None:
    before = snapshot(membership)
    membership.is_active, membership.left_on = False, on
    membership.save(update_fields=["is_active", "left_on"])
    change_log_write(instance=membership, action=ChangeLog.Action.DEACTIVATE, before=before,
                     after=snapshot(membership), acting_user=acting_user, reason=reason)
    domain_event_write(type=EventType.MEMBER_LEFT, message=f"{membership.person.name} 离开家庭（{reason}）",
                       person=membership.person, household=membership.household, acting_user=acting_user)


@transaction.atomic
def household_create(*, acting_user, area_code: str, hukou_type: str, members: list[dict],
                     address: str = "") -> Household:
    """新建家庭及成员. `members` are {"person": Person, "relation": code}; exactly one head."""
    area = community_area(area_code)
    _require(acting_user, "household", "add", area.code)
    _check_members(members)
    household = Household.objects.create(area=area, hukou_type=hukou_type, address=address)
    change_log_write(instance=household, action=ChangeLog.Action.CREATE, before=None, after=snapshot(household),
                     acting_user=acting_user)
    domain_event_write(type=EventType.HOUSEHOLD_CREATED, message="新建家庭", household=household,
                       acting_user=acting_user)
    for member in members:
        household_member_add(acting_user=acting_user, household=household, person=member["person"],
                             relation=member["relation"])
    return household


def _check_members(members: list[dict]) -> None:
    if not members:
        raise ValidationError({"members": ["家庭至少应有一名成员"]})
    heads = [m for m in members if m.get("relation") == Relation.HEAD]
    if len(heads) != 1:
        raise ValidationError({"members": ["家庭应有且只有一名户主"]})
    people = [m["person"].pk for m in members]
    if len(people) != len(set(people)):
        raise ValidationError({"members": ["同一人员不能重复列入家庭"]})
    for m in members:
        if m.get("relation") not in Relation.values:
            raise ValidationError({"members": [f"与户主关系不正确：{m.get('relation')}"]})


@transaction.atomic
def household_member_add(*, acting_user, household: Household, person: Person, relation: str,
                         joined_on: date | None = None) -> HouseholdMember:
    """成员加入家庭. A person already active in another household must leave it first."""
    _require(acting_user, "household", "change", household.area_id)
    _require(acting_user, "person", "view", person.area_id)
    if person.status == Person.Status.DECEASED:
        raise ValidationError({"members": [f"{person.name} 已登记死亡，不能加入家庭"]})
    current = HouseholdMember.objects.filter(person=person, is_active=True).first()
    if current is not None:
        raise ValidationError({"members": [f"{person.name} 已是另一家庭（编号 {current.household_id}）的在户成员"]})
    if relation == Relation.HEAD and household.members.filter(is_active=True, relation=Relation.HEAD).exists():
        raise ValidationError({"members": ["该家庭已有户主"]})
    member = HouseholdMember.objects.create(household=household, person=person, relation=relation,
                                            area_id=household.area_id, joined_on=joined_on or date.today())
    change_log_write(instance=member, action=ChangeLog.Action.CREATE, before=None, after=snapshot(member),
                     acting_user=acting_user)
    domain_event_write(type=EventType.MEMBER_JOINED,
                       message=f"{person.name} 加入家庭（{member.get_relation_display()}）",
                       person=person, household=household, acting_user=acting_user)
    return member


@transaction.atomic
def household_member_remove(*, acting_user, member: HouseholdMember, reason: str, on: date | None = None) -> None:
    """成员离开家庭 (moved, married out …): the membership ends, the person stays."""
    _require(acting_user, "household", "change", member.area_id)
    if not member.is_active:
        raise ValidationError({"member": ["该成员已不在户"]})
    _member_leave(membership=member, on=on or date.today(), acting_user=acting_user, reason=reason or "迁出")


def _first_of_month(value: date | None) -> date | None:
    return value.replace(day=1) if value else None


@transaction.atomic
def income_add(*, acting_user, household: Household, person: Person, category: str, monthly_amount: Decimal,
               start_month: date, end_month: date | None = None, note: str = "") -> Income:
    """登记收入. Whether it counts toward household income is decided by the category's data."""
    _require(acting_user, "income", "add", household.area_id)
    if not household.members.filter(person=person, is_active=True).exists():
        raise ValidationError({"person": ["该人员不是本家庭的在户成员"]})
    cat = IncomeCategory.objects.filter(code=category).first()
    if cat is None:
        raise ValidationError({"category": [f"收入类别不存在：{category}"]})
    if monthly_amount < 0:
        raise ValidationError({"monthly_amount": ["金额不能为负数"]})
    start, end = _first_of_month(start_month), _first_of_month(end_month)
    if end is not None and end < start:
        raise ValidationError({"end_month": ["截止月份不能早于起始月份"]})
    income = Income.objects.create(household=household, person=person, category=cat,
                                   monthly_amount=monthly_amount.quantize(Decimal("0.01")), start_month=start,
                                   end_month=end, area_id=household.area_id, note=note)
    change_log_write(instance=income, action=ChangeLog.Action.CREATE, before=None, after=snapshot(income),
                     acting_user=acting_user)
    domain_event_write(type=EventType.INCOME_RECORDED, message=f"登记收入：{cat.name} {income.monthly_amount} 元/月",
                       person=person, household=household, acting_user=acting_user)
    return income


@transaction.atomic
def asset_add(*, acting_user, household: Household, kind: str, value: Decimal, description: str = "",
              exempt: bool = False, person: Person | None = None) -> Asset:
    """登记家庭财产."""
    _require(acting_user, "asset", "add", household.area_id)
    if kind not in Asset.Kind.values:
        raise ValidationError({"kind": [f"财产类别不正确：{kind}"]})
    if value is None or Decimal(value) < 0:
        raise ValidationError({"value": ["财产价值不能为负数"]})
    asset = Asset.objects.create(household=household, person=person, kind=kind, value=value,
                                 description=description, exempt=exempt, area_id=household.area_id)
    change_log_write(instance=asset, action=ChangeLog.Action.CREATE, before=None, after=snapshot(asset),
                     acting_user=acting_user)
    domain_event_write(type=EventType.ASSET_RECORDED, message=f"登记财产：{asset.get_kind_display()} {asset.value} 元",
                       household=household, person=person, acting_user=acting_user)
    return asset


@transaction.atomic
def disability_record(*, acting_user, person: Person, category: str, grade: int,
                      certificate_number: str = "", issued_on: date | None = None) -> Disability:
    """登记残疾情况; an earlier record of the person is kept but marked not current."""
    _require(acting_user, "disability", "add", person.area_id)
    if category not in Disability.Category.values:
        raise ValidationError({"category": [f"残疾类别不正确：{category}"]})
    if grade not in Disability.Grade.values:
        raise ValidationError({"grade": ["残疾等级应为一至四级"]})
    person.disabilities.filter(is_current=True).update(is_current=False)
    record = Disability.objects.create(person=person, category=category, grade=grade, area_id=person.area_id,
                                       certificate_number=certificate_number, issued_on=issued_on)
    change_log_write(instance=record, action=ChangeLog.Action.CREATE, before=None, after=snapshot(record),
                     acting_user=acting_user)
    domain_event_write(type=EventType.DISABILITY_RECORDED,
                       message=f"登记残疾：{record.get_category_display()}{record.get_grade_display()}",
                       person=person, acting_user=acting_user)
    return record


@transaction.atomic
def household_update(*, acting_user, household: Household, hukou_type: str | None = None,
                     address: str | None = None) -> Household:
    """修改家庭信息 (户籍类型, 住址)."""
    _require(acting_user, "household", "change", household.area_id)
    before = snapshot(household)
    if hukou_type is not None:
        household.hukou_type = hukou_type
    if address is not None:
        household.address = address
    household.save()
    change_log_write(instance=household, action=ChangeLog.Action.UPDATE, before=before,
                     after=snapshot(household), acting_user=acting_user)
    return household
