"""收养登记 (adoption registration, the district civil-affairs bureau): the legal checks of 《中华人民共和国民法典》
婚姻家庭编第五章, each checked against the registry where the registry holds the fact and otherwise against the
applicant's attestation (申请人声明或证明材料), and the registration itself.

- 第一千零九十三条 (who may be adopted): a minor (registry age) who is 丧失父母的孤儿, 查找不到生父母 or whose
  parents cannot raise them — from the child's file (both parents dead or missing) where it exists, else attested;
- 第一千零九十八条 (the adopter): (一) 无子女或者只有一名子女 — the registry's children of the adopter's household or
  the declared number, whichever is higher; (二) able to raise, (三) no disqualifying illness, (四) no disqualifying
  criminal record — attested; (五) 年满三十周岁 — registry birth date;
- 第一千一百条 (how many): two without children, one with; not for 孤儿, 残疾未成年人 (registry disability records) or
  a child of a welfare institution whose parents cannot be found — the same exemption lifts 第一千零九十八条第一项;
- 第一千一百零一条: a married adopter adopts jointly — marital status attested (the registry does not hold it yet);
- 第一千一百零二条: a single adopter of a child of the other sex is at least 40 years older — registry sex and births;
- 第一千一百零四条: a child aged 8 or more consents — age from the registry, consent attested.

A refusal is recorded (status 不予登记) with the article(s) that failed; a registration moves the child into the
adopter's household through the registry services and issues the certificate number.
"""

from dataclasses import asdict, dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import ChangeLog, EventType
from audit.services import change_log_write, domain_event_write, snapshot
from casework import clock
from children.models import Adoption, ChildFile, ParentCondition
from children.services import _recheck_child, require
from minzheng.dates import age_on
from registry.models import Household, HouseholdMember, Person, Relation
from registry.services import household_member_add, household_member_remove

RESOURCE = "adoption"
CODE = "《中华人民共和国民法典》"
BASES = {"orphan": "丧失父母的孤儿", "parents_unknown": "查找不到生父母的未成年人",
         "parents_unable": "生父母有特殊困难无力抚养的子女"}
ATTESTATIONS = {
    "basis": "被收养人情形（orphan 孤儿 / parents_unknown 查找不到生父母 / parents_unable 生父母有特殊困难无力抚养）",
    "children_count": "收养人现有子女数（含不在本户的子女）",
    "able_to_raise": "有抚养、教育和保护被收养人的能力",
    "no_disqualifying_illness": "未患有在医学上认为不应当收养子女的疾病（体检证明）",
    "no_criminal_record": "无不利于被收养人健康成长的违法犯罪记录（无犯罪记录证明）",
    "married": "收养人有配偶",
    "child_consent": "八周岁以上被收养人同意被收养",
}
ADULT_AGE, ADOPTER_MIN_AGE, SINGLE_GAP, CONSENT_AGE = 18, 30, 40, 8


@dataclass
class Check:
    article: str
    label: str
    passed: bool
    basis: str  # "registry" (人口库) or "attested" (申请人声明或证明)
    detail: str


def _bool(attestations: dict, key: str) -> bool | None:
    value = attestations.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise ValidationError({key: [f"{key}（{ATTESTATIONS[key]}）应为 true 或 false"]})
    return value


def clean_attestations(raw: dict | None) -> dict:
    raw = dict(raw or {})
    unknown = sorted(set(raw) - set(ATTESTATIONS))
    if unknown:
        raise ValidationError({"attestations": [f"不认识的声明事项：{'、'.join(unknown)}"]})
    cleaned = {k: _bool(raw, k) for k in ATTESTATIONS if k not in ("basis", "children_count") and k in raw}
    if raw.get("basis") not in BASES:
        options = "、".join(f"{k}（{v}）" for k, v in BASES.items())
        raise ValidationError({"basis": [f"请选择被收养人情形（民法典第一千零九十三条）：{options}"]})
    cleaned["basis"] = raw["basis"]
    count = raw.get("children_count", 0)
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 20:
        raise ValidationError({"children_count": ["children_count（收养人现有子女数）应为0至20的整数"]})
    cleaned["children_count"] = count
    return cleaned


def _household_of(person: Person) -> HouseholdMember | None:
    return HouseholdMember.objects.filter(person=person, is_active=True).select_related("household").first()


def registry_children(adopter: Person) -> int:
    """The adopter's children the registry knows: 子女 of the household the adopter heads (or is the head's
    spouse in)."""
    member = _household_of(adopter)
    if member is None or member.relation not in (Relation.HEAD, Relation.SPOUSE):
        return 0
    return member.household.members.filter(is_active=True, relation=Relation.CHILD).count()


def _age_or_none(person: Person, on: date) -> int | None:
    return age_on(person.birth_date, on) if person.birth_date else None


def _exempt(child: Person, basis: str) -> tuple[bool, str]:
    """第一千一百条第二款: 孤儿, 残疾未成年人, 儿童福利机构抚养的查找不到生父母的未成年人."""
    if child.disabilities.filter(is_current=True).exists():
        return True, "被收养人为残疾未成年人（人口库残疾信息）"
    file = ChildFile.objects.filter(person=child).first()
    if basis == "orphan":
        return True, "被收养人为孤儿"
    if basis == "parents_unknown" and file is not None and file.placement == ChildFile.Placement.INSTITUTION:
        return True, "被收养人为儿童福利机构抚养的查找不到生父母的未成年人"
    return False, ""


def _basis_check(child: Person, basis: str, today: date) -> list[Check]:
    checks = []
    age = _age_or_none(child, today)
    checks.append(Check("第一千零九十三条", "被收养人为未成年人", age is not None and age < ADULT_AGE, "registry",
                        f"被收养人{age}周岁" if age is not None else "人口库缺少被收养人出生日期"))
    file = ChildFile.objects.filter(person=child).first()
    current = ({s.role: s.reason.condition for s in file.situations.select_related("reason")
                if s.ended_on is None} if file is not None else {})
    if basis == "orphan" and len(current) == 2:
        passed = all(c in (ParentCondition.DEAD, ParentCondition.MISSING) for c in current.values())
        checks.append(Check("第一千零九十三条", "被收养人为丧失父母的孤儿", passed, "registry",
                            "儿童档案：父母均已死亡或失踪" if passed else "儿童档案所载父母情况不属于父母双亡或失踪"))
    else:
        checks.append(Check("第一千零九十三条", f"被收养人为{BASES[basis]}", True, "attested", "申请人声明并提供证明"))
    return checks


def _adopter_checks(adopter: Person, child: Person, spouse: Person | None, a: dict, today: date) -> list[Check]:
    checks = []
    age = _age_or_none(adopter, today)
    checks.append(Check("第一千零九十八条第五项", f"收养人年满{ADOPTER_MIN_AGE}周岁",
                        age is not None and age >= ADOPTER_MIN_AGE, "registry",
                        f"收养人{age}周岁" if age is not None else "人口库缺少收养人出生日期"))
    known = registry_children(adopter)
    children = max(known, a["children_count"])
    exempt, why = _exempt(child, a["basis"])
    checks.append(Check("第一千零九十八条第一项", "收养人无子女或者只有一名子女", children <= 1 or exempt,
                        "registry" if known >= a["children_count"] else "attested",
                        f"现有子女{children}名（人口库{known}名，申报{a['children_count']}名）"
                        + (f"；{why}，不受此项限制（第一千一百条第二款）" if exempt else "")))
    for key, article in (("able_to_raise", "第二项"), ("no_disqualifying_illness", "第三项"),
                         ("no_criminal_record", "第四项")):
        checks.append(Check(f"第一千零九十八条{article}", ATTESTATIONS[key], a.get(key) is True, "attested",
                            "已声明并提供证明" if a.get(key) is True else "未声明或未提供证明"))
    adopted = Adoption.objects.filter(adopter=adopter, status=Adoption.Status.REGISTERED).count()
    allowed = 1 if children >= 1 else 2
    label = "有子女的收养人只能收养一名子女" if children else "无子女的收养人可以收养两名子女"
    checks.append(Check("第一千一百条", label,
                        exempt or adopted + 1 <= allowed, "registry",
                        f"已登记收养{adopted}名" + (f"；{why}，不受人数限制" if exempt else "")))
    married = a.get("married") is True or spouse is not None
    checks.append(Check("第一千一百零一条", "有配偶者应当夫妻共同收养", not married or spouse is not None,
                        "attested", "夫妻共同收养" if spouse is not None else ("有配偶但配偶未共同申请" if married
                                                                             else "申报无配偶")))
    if not married:
        checks.append(_single_gap(adopter, child))
    return checks


def _single_gap(adopter: Person, child: Person) -> Check:
    label = f"无配偶者收养异性子女，年龄应当相差{SINGLE_GAP}周岁以上"
    if not adopter.sex or not child.sex:
        return Check("第一千一百零二条", label, False, "registry", "人口库缺少性别，无法审查")
    if adopter.sex == child.sex:
        return Check("第一千一百零二条", label, True, "registry", "收养同性子女，不适用")
    if not adopter.birth_date or not child.birth_date:
        return Check("第一千一百零二条", label, False, "registry", "人口库缺少出生日期，无法审查")
    gap = age_on(adopter.birth_date, child.birth_date)
    return Check("第一千一百零二条", label, gap >= SINGLE_GAP, "registry", f"收养人在被收养人出生时{gap}周岁")


def _consent_check(child: Person, a: dict, today: date) -> list[Check]:
    age = _age_or_none(child, today)
    if age is None or age < CONSENT_AGE:
        return []
    consent = a.get("child_consent") is True
    return [Check("第一千一百零四条", f"收养{CONSENT_AGE}周岁以上未成年人应当征得其同意", consent, "attested",
                  "被收养人已表示同意" if consent else "未征得被收养人同意")]


def adoption_checks(*, child: Person, adopter: Person, spouse: Person | None, attestations: dict,
                    on: date) -> list[Check]:
    """Every condition of the law, in article order, each with what it was checked from."""
    return (_basis_check(child, attestations["basis"], on) + _adopter_checks(adopter, child, spouse, attestations, on)
            + _consent_check(child, attestations, on))


def _certificate_number(district: str, on: date) -> str:
    count = Adoption.objects.filter(status=Adoption.Status.REGISTERED, registered_on__year=on.year).count()
    return f"（{on.year}）收字第{district}{count + 1:05d}号"


@transaction.atomic
def adoption_register(*, acting_user, child: Person, adopter: Person, spouse: Person | None = None,
                      attestations: dict | None = None) -> Adoption:
    """收养登记: run every check; refuse (recorded, with the articles that failed) or register — the child leaves
    their household and joins the adopter's as 子女 through the registry services, the certificate number is
    issued, and a child's allowance is re-checked (an adopted orphan's reason has ended)."""
    require(acting_user, "add", adopter.area_id, resource=RESOURCE)
    if child.pk == adopter.pk or (spouse is not None and spouse.pk in (child.pk, adopter.pk)):
        raise ValidationError({"child": ["被收养人、收养人及其配偶应为不同的人"]})
    for person, field in ((child, "child"), (adopter, "adopter"), (spouse, "spouse")):
        if person is not None and person.status != Person.Status.ACTIVE:
            raise ValidationError({field: [f"{person.name}的人员状态不是“正常”"]})
    a = clean_attestations(attestations)
    today = clock.today()
    checks = adoption_checks(child=child, adopter=adopter, spouse=spouse, attestations=a, on=today)
    failed = [c for c in checks if not c.passed]
    home = _household_of(adopter)
    adoption = Adoption(child=child, adopter=adopter, spouse=spouse, area_id=adopter.area_id, decided_by=acting_user,
                        checks=[asdict(c) for c in checks], attestations=a,
                        household=home.household if home else None)
    if failed:
        adoption.status = Adoption.Status.REFUSED
        adoption.refusal = "；".join(f"不符合{CODE}{c.article}（{c.label}：{c.detail}）" for c in failed)[:500]
    elif home is None or home.household.status != Household.Status.ACTIVE:
        raise ValidationError({"adopter": ["收养人在人口库中没有在户的家庭，请先登记收养人家庭"]})
    else:
        adoption.status, adoption.registered_on = Adoption.Status.REGISTERED, today
        adoption.certificate_number = _certificate_number(adopter.area_id[:6], today)
        _move_child(child, home.household, today, acting_user)
    adoption.save()
    change_log_write(instance=adoption, action=ChangeLog.Action.CREATE, before=None, after=snapshot(adoption),
                     acting_user=acting_user)
    message = (f"收养登记：{adopter.name}收养{child.name}（{adoption.certificate_number}）" if not failed
               else f"不予收养登记：{adoption.refusal}")
    domain_event_write(type=EventType.ADOPTION_DECIDED, person=child, subject=adoption, acting_user=acting_user,
                       message=message[:300])
    if not failed:
        file = ChildFile.objects.filter(person=child).first()
        if file is not None:
            _recheck_child(file, "被收养", acting_user)
    return adoption


def _move_child(child: Person, household: Household, on: date, acting_user) -> None:
    current = _household_of(child)
    if current is not None and current.household_id == household.pk:
        return
    if current is not None:
        household_member_remove(acting_user=acting_user, member=current, reason="被收养", on=on)
    household_member_add(acting_user=acting_user, household=household, person=child, relation=Relation.CHILD,
                         joined_on=on)
