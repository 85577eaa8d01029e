"""居民及家庭导入 (persons_households): one row per person, grouped into households by the file's 户编号.

Rules beyond the single cells:
- an ID number already registered under the same name is "already present" (skipped, not an error); under
  another name it is an error;
- a 户编号 has exactly one head (户主) and one 村社区代码 for all its rows; a bad head row makes the whole
  household bad;
- a household whose head is already registered with an active household is that household: members already
  in it are present, new members are added to it, members active in any other household are errors.
"""

from collections import defaultdict
from datetime import date

from django.db.models import FilteredRelation, Q

from accounts.policy import area_in_scope
from areas.models import Area, AreaLevel
from audit.models import DomainEvent, EventType
from audit.services import change_log_bulk_create, snapshot
from imports.bulk import bulk_insert
from imports.models import StagedRow
from imports.schemas import persons_households_sql as fast
from imports.schemas.base import (
    CellError,
    Column,
    CommitConflict,
    Context,
    Schema,
    choice,
    chunked,
    digits,
    phone,
    reject,
    text,
)
from registry.identity import InvalidIdNumber, parse_id_number
from registry.models import Household, HouseholdMember, HukouType, Person, Relation
from registry.names import name_keys

MEMBER_ELSEWHERE = "已是另一家庭的在户成员"


def _id_number(value: str) -> str:
    try:
        return parse_id_number(value).number
    except InvalidIdNumber as exc:
        raise CellError(str(exc)) from exc


def _example_id(birth: str, seq: int) -> str:
    body = f"500106{birth}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


COLUMNS = (
    Column("household_ref", "户编号", text("户编号", 40), required=True, examples=("H0001", "H0001"),
           help="文件内的家庭编号，同一户的成员填写相同编号"),
    Column("name", "姓名", text("姓名", 50), required=True, examples=("张三", "李四")),
    Column("id_number", "身份证号", _id_number, header_required=True,
           examples=(_example_id("19800101", 11), _example_id("19820202", 22)),
           help="18位居民身份证号；没有时须填写无证原因"),
    Column("no_id_reason", "无证原因", choice("无证原因", Person.NoIdReason), examples=("", ""),
           help="身份不明、新生儿未落户、外籍人员（护照）、其他"),
    Column("relation", "与户主关系", choice("与户主关系", Relation), required=True, examples=("户主", "配偶")),
    Column("area_code", "村社区代码", digits("村社区代码", 12), required=True,
           examples=("500106001001", "500106001001"), help="12位村（社区）区划代码"),
    Column("hukou_type", "户籍类型", choice("户籍类型", HukouType), header_required=True, examples=("城镇", ""),
           help="城镇或农村；户主行必填"),
    Column("phone", "联系电话", phone("联系电话"), examples=("13800000000", "")),
    Column("address", "住址", text("住址", 200), examples=("小龙坎正街1号", "")),
)


def row_check(raw: dict[str, str], clean: dict) -> list[str]:
    errors = []
    if not raw.get("id_number") and not raw.get("no_id_reason"):
        errors.append("「身份证号」为必填项（确无身份证号的，请填写「无证原因」）")
    if clean.get("relation") == Relation.HEAD and not raw.get("hukou_type"):
        errors.append("户主行须填写「户籍类型」")
    return errors


# --- per chunk, set-based: areas and already registered persons ---


def db_check(ctx: Context, rows: list[StagedRow]) -> None:
    _check_areas(ctx, rows)
    _check_registered(rows)


def _check_areas(ctx: Context, rows: list[StagedRow]) -> None:
    known: dict[str, tuple[str, bool] | None] = ctx.cache.setdefault("areas", {})
    wanted = {r.clean["area_code"] for r in rows if r.clean.get("area_code")} - set(known)
    for codes in chunked(sorted(wanted)):
        for code, level, valid_to in Area.objects.filter(code__in=codes).values_list("code", "level", "valid_to"):
            known[code] = (level, valid_to is None)
    for row in rows:
        code = row.clean.get("area_code")
        if code:
            problem = _area_problem(ctx, code, known.get(code))
            if problem:
                reject(row, problem)


def _area_problem(ctx: Context, code: str, facts: tuple[str, bool] | None) -> str:
    if facts is None:
        return f"村社区代码不存在：{code}"
    if facts[0] != AreaLevel.COMMUNITY:
        return f"村社区代码 {code} 不是村（社区）一级的区划"
    if not facts[1]:
        return f"村社区代码 {code} 已停用，请填写现行区划"
    if not area_in_scope(ctx.user, code):
        return f"村社区代码 {code} 不在您的管辖范围内"
    return ""


def _check_registered(rows: list[StagedRow]) -> None:
    """Rows whose ID number is registered: same name → remember who; another name → error."""
    by_number = {r.clean["id_number"]: r for r in rows if r.clean.get("id_number")}
    registered = {}
    for numbers in chunked(sorted(by_number)):
        found = (Person.objects.filter(id_number__in=numbers)
                 .annotate(home=FilteredRelation("memberships", condition=Q(memberships__is_active=True)))
                 .values_list("id_number", "id", "name", "status", "area", "home__household_id", "home__relation"))
        registered |= {number: rest for number, *rest in found}
    for number, (pk, name, status, area, household_id, relation) in registered.items():
        row = by_number[number]
        if name != row.clean.get("name"):
            reject(row, "该身份证号已登记，但登记的姓名与本行「姓名」不一致")
            continue
        row.clean.update(person_id=pk, person_area=area, person_household=household_id,
                         person_relation=relation, person_deceased=status == Person.Status.DECEASED)


# --- per household (户编号), a page of whole households at a time ---


def group_check(ctx: Context, groups: list[list[StagedRow]]) -> None:
    homes = _registered_homes(groups)
    for rows in groups:
        head = _check_structure(rows)
        if head is not None and head.status != StagedRow.Status.ERROR:
            _resolve_members(ctx, rows, head, homes)


def _check_structure(rows: list[StagedRow]) -> StagedRow | None:
    """Exactly one head, one area; a bad head spoils the household. Returns the head if there is one."""
    ref = rows[0].group_key
    heads = [r for r in rows if r.clean.get("relation") == Relation.HEAD]
    head_bad = len(heads) == 1 and heads[0].status == StagedRow.Status.ERROR
    reasons = []
    if not heads:
        reasons.append(f"户编号 {ref} 没有户主（每户须有且只有一名户主）")
    elif len(heads) > 1:
        numbers = "、".join(str(r.row_number) for r in heads)
        reasons.append(f"户编号 {ref} 有{len(heads)}名户主（第{numbers}行），每户须有且只有一名户主")
    codes = sorted({r.clean["area_code"] for r in rows if r.clean.get("area_code")})
    if len(codes) > 1:
        reasons.append(f"户编号 {ref} 的成员村社区代码不一致（{'、'.join(codes)}）")
    for row in rows:
        for reason in reasons:
            reject(row, reason)
        if head_bad and row is not heads[0]:
            reject(row, f"户主行（第{heads[0].row_number}行）有错误，整户不导入")
    return heads[0] if len(heads) == 1 else None


def _resolve_members(ctx: Context, rows: list[StagedRow], head: StagedRow,
                     homes: dict[int, tuple[str, set[str]]]) -> None:
    """Which rows are already there, which join the head's registered household, which are in another one."""
    home = head.clean.get("person_household")
    if home and head.clean.get("person_relation") != Relation.HEAD:
        # Members are listed relative to their head: they cannot join a household through someone else.
        reject(head, "该人员已是登记库中某家庭的成员，但不是该家庭的户主，请核对「与户主关系」")
        for row in rows:
            if row is not head:
                reject(row, f"户主行（第{head.row_number}行）有错误，整户不导入")
        return
    for row in rows:
        if row.status == StagedRow.Status.ERROR:
            continue
        current = row.clean.get("person_household")
        if home and (current == home or _idless_present(row, homes[home][1])):
            row.status = StagedRow.Status.DUPLICATE_EXISTING
        elif current:
            reject(row, MEMBER_ELSEWHERE)
        elif row.clean.get("person_deceased"):
            reject(row, "该人员已登记死亡，不能加入家庭")
        elif row.clean.get("person_area") and not area_in_scope(ctx.user, row.clean["person_area"]):
            reject(row, f"该人员登记在您的管辖范围以外（村社区 {row.clean['person_area']}）")
        elif home and homes[home][0] != row.clean.get("area_code"):
            reject(row, f"户主已登记在村社区 {homes[home][0]} 的家庭中，与本行村社区代码不一致")
        elif home:
            row.clean["household_id"] = home
    if head.status == StagedRow.Status.ERROR:  # refused just now (died, registered out of scope): as a bad head
        for row in rows:
            if row is not head:
                reject(row, f"户主行（第{head.row_number}行）有错误，整户不导入")


def _idless_present(row: StagedRow, idless_names: set[str]) -> bool:
    """A person without an ID number can only be recognised by name within the same household."""
    return not row.clean.get("id_number") and row.clean.get("name") in idless_names


def _registered_homes(groups: list[list[StagedRow]]) -> dict[int, tuple[str, set[str]]]:
    """Household id → (area code, names of its active members without an ID number), in two queries."""
    ids = {r.clean["person_household"] for rows in groups for r in rows
           if r.clean.get("relation") == Relation.HEAD and r.clean.get("person_household")}
    homes: dict[int, tuple[str, set[str]]] = {}
    for chunk in chunked(sorted(ids)):
        homes |= {pk: (area, set()) for pk, area in Household.objects.filter(pk__in=chunk).values_list("id", "area")}
        idless = HouseholdMember.objects.filter(household_id__in=chunk, is_active=True, person__id_number__isnull=True)
        for household_id, name in idless.values_list("household_id", "person__name"):
            homes[household_id][1].add(name)
    return homes


# --- commit: a page of good rows (whole households), written set-based (imports.bulk) ---


def commit(ctx: Context, rows: list[StagedRow]) -> dict[str, int]:
    _refuse_registered_since(rows)
    groups: dict[str, list[StagedRow]] = defaultdict(list)
    for row in rows:
        groups[row.group_key].append(row)
    people = _create_persons(rows)
    homes = _create_households(groups)
    members = _create_members(groups, homes, people)
    _write_events(ctx, groups, homes, members)
    return {"persons": sum(1 for r in rows if not r.clean.get("person_id")), "households": len(homes),
            "members": len(members)}


def _refuse_registered_since(rows: list[StagedRow]) -> None:
    new = {r.clean["id_number"]: r for r in rows if r.clean.get("id_number") and not r.clean.get("person_id")}
    for numbers in chunked(sorted(new)):
        taken = list(Person.objects.filter(id_number__in=numbers).values_list("id_number", flat=True)[:5])
        if taken:
            lines = "、".join(str(new[n].row_number) for n in taken)
            raise CommitConflict(f"第{lines}行的身份证号在校验之后已被登记，未保存任何数据，请重新上传校验")


def _create_persons(rows: list[StagedRow]) -> dict[int, int]:
    """StagedRow id → Person id, creating the persons not yet registered."""
    fresh = [(r, _person(r.clean)) for r in rows if not r.clean.get("person_id")]
    bulk_insert([p for _, p in fresh], with_ids=True)
    change_log_bulk_create(model=Person, rows=[(str(p.pk), p.name, snapshot(p)) for _, p in fresh])
    known = {r.pk: r.clean["person_id"] for r in rows if r.clean.get("person_id")}
    return known | {r.pk: p.pk for r, p in fresh}


def _person(clean: dict) -> Person:
    pinyin, initials = name_keys(clean["name"])
    person = Person(name=clean["name"], name_pinyin=pinyin, name_initials=initials, area_id=clean["area_code"],
                    phone=clean.get("phone", ""))
    if clean.get("id_number"):
        facts = parse_id_number(clean["id_number"])
        person.id_number, person.birth_date, person.sex = facts.number, facts.birth_date, facts.sex
    else:
        person.no_id_reason = clean["no_id_reason"]
    return person


def _create_households(groups: dict[str, list[StagedRow]]) -> dict[str, Household]:
    """户编号 → new Household, for every household not already registered."""
    homes = {}
    for ref, rows in groups.items():
        if rows[0].clean.get("household_id"):
            continue
        head = next(r for r in rows if r.clean["relation"] == Relation.HEAD)
        address = head.clean.get("address") or next((r.clean["address"] for r in rows if r.clean.get("address")), "")
        homes[ref] = Household(area_id=head.clean["area_code"], hukou_type=head.clean["hukou_type"], address=address)
    bulk_insert(list(homes.values()), with_ids=True)
    heads = {ref: next(r.clean["name"] for r in groups[ref] if r.clean["relation"] == Relation.HEAD) for ref in homes}
    change_log_bulk_create(model=Household, rows=[(str(h.pk), f"{heads[ref]}户", snapshot(h))
                                                  for ref, h in homes.items()])
    return homes


def _create_members(groups: dict[str, list[StagedRow]], homes: dict[str, Household],
                    people: dict[int, int]) -> list[HouseholdMember]:
    today = date.today()
    members = []
    for ref, rows in groups.items():
        household_id = rows[0].clean.get("household_id") or homes[ref].pk
        members += [HouseholdMember(household_id=household_id, person_id=people[r.pk], relation=r.clean["relation"],
                                    area_id=r.clean["area_code"], joined_on=today) for r in rows]
    bulk_insert(members, with_ids=True)
    labels = dict(Relation.choices)
    names = {people[r.pk]: r.clean["name"] for rows in groups.values() for r in rows}
    change_log_bulk_create(model=HouseholdMember, rows=[
        (str(m.pk), f"{names[m.person_id]} · {labels[m.relation]}", snapshot(m)) for m in members])
    return members


def commit_sql(ctx: Context, report) -> dict[str, int]:
    """The set-based commit (persons_households_sql), then the events; temporary tables go with the success —
    on a failure the transaction's rollback removes them."""
    tally = fast.commit(ctx, report)
    _write_events(ctx)
    fast.commit_cleanup()
    return tally


def _write_events(ctx: Context, groups: dict[str, list[StagedRow]] | None = None,
                  homes: dict[str, Household] | None = None, members: list[HouseholdMember] | None = None) -> None:
    """One domain event per household: created by the import, or joined by imported members."""
    if groups is None:  # the set-based commit: from its temporary tables
        fast.write_events(ctx)
        return
    sizes: dict[int, int] = defaultdict(int)
    for member in members:
        sizes[member.household_id] += 1
    new_ids = {h.pk for h in homes.values()}
    params = {"batch": ctx.batch.pk, "file": ctx.batch.original_filename}
    DomainEvent.objects.bulk_create([
        DomainEvent(type=EventType.HOUSEHOLD_IMPORTED if pk in new_ids else EventType.MEMBERS_IMPORTED, household_id=pk,
                    subject_type="registry.household", subject_id=str(pk),
                    user_id=getattr(ctx.user, "pk", None), params={**params, "members": n},
                    message=(f"导入新建家庭（{n}人，导入批次#{ctx.batch.pk}）" if pk in new_ids
                             else f"导入新增家庭成员{n}人（导入批次#{ctx.batch.pk}）"))
        for pk, n in sizes.items()], batch_size=1000)


def _examples(user) -> list[dict[str, str]]:
    """The two template rows, with a community of the user's own area so the example imports as is."""
    from accounts.policy import scope_prefix

    rows = [{c.key: c.examples[i] for c in COLUMNS} for i in range(2)]
    prefix = scope_prefix(user) or ""
    code = (Area.objects.filter(level=AreaLevel.COMMUNITY, valid_to__isnull=True, code__startswith=prefix)
            .order_by("code").values_list("code", flat=True).first())
    for row in rows:
        row["area_code"] = code or row["area_code"]
    return rows


SCHEMA = Schema(
    key="persons_households",
    title="居民及家庭信息",
    description="每行一名人员；同一户的成员填写相同的户编号，每户须有且只有一名户主。",
    columns=COLUMNS,
    row_check=row_check,
    db_check=db_check,
    unique_key="id_number",
    group_key="household_ref",
    group_check=group_check,
    commit=commit,
    example_rows=_examples,
    sql_validate=fast.validate,
    sql_commit=commit_sql,
    sql_ready=fast.ready,
)
