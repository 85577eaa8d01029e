"""What a calculation needs from the registry (家庭与个人情况), loaded once, then used by pure functions.

Loading is a handful of queries per quote; everything after it (who counts in a month, what income counts)
is plain Python over frozen dataclasses, so it can be tested and reasoned about without a database.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from minzheng.dates import month_end
from programs.calculations.money import ZERO

COUNTED, EXCLUDED, DEDUCTIBLE = "counted", "excluded", "deductible"
# Property that disqualifies unless it is 生产生活必需 (exempt): 《最低生活保障审核确认办法》第十四条.
DISQUALIFYING_ASSET_KINDS = ("vehicle", "business")


@dataclass(frozen=True)
class MemberFact:
    person_id: int
    name: str
    relation: str
    birth_date: date | None
    death_date: date | None
    left_on: date | None
    is_active: bool

    def present_in(self, month: date) -> bool:
        """在户: still a member, and alive, at the end of the month.

        `joined_on` is not consulted: the registry fills it with the registration date when the real date is
        unknown, so honouring it would empty every household for every month before it was registered.
        """
        end = month_end(month)
        if self.death_date is not None and self.death_date <= end:
            return False
        if self.left_on is not None:
            return self.left_on > end
        return self.is_active


@dataclass(frozen=True)
class IncomeFact:
    person_id: int
    person_name: str
    category_name: str
    kind: str
    monthly_amount: Decimal
    start_month: date
    end_month: date | None

    def covers(self, month: date) -> bool:
        return self.start_month <= month and (self.end_month is None or self.end_month >= month)


@dataclass(frozen=True)
class AssetFact:
    person_id: int | None
    kind: str
    kind_label: str
    description: str
    exempt: bool

    @property
    def disqualifies(self) -> bool:
        return self.kind in DISQUALIFYING_ASSET_KINDS and not self.exempt

    @property
    def reason(self) -> str:
        detail = f"（{self.description}）" if self.description else ""
        return f"家庭有非生产生活必需的{self.kind_label}{detail}"


@dataclass(frozen=True)
class IncomeSummary:
    """One month's income: counted − deductible (floored at 0); excluded items listed but not summed."""

    counted: Decimal
    deducted: Decimal
    items: tuple[tuple[str, str, Decimal], ...]  # (kind, "姓名·类别", amount)

    @property
    def total(self) -> Decimal:
        return max(self.counted - self.deducted, ZERO)


def income_in(incomes: tuple[IncomeFact, ...], person_ids: set[int], month: date) -> IncomeSummary:
    """家庭月收入 for month M: the counted incomes of the given people whose months cover M, minus their
    deductible 刚性支出 (never below zero). Excluded categories are kept as items only."""
    items = tuple((i.kind, f"{i.person_name}·{i.category_name}", i.monthly_amount)
                  for i in incomes if i.person_id in person_ids and i.covers(month))
    counted = sum((amount for kind, _, amount in items if kind == COUNTED), ZERO)
    deducted = sum((amount for kind, _, amount in items if kind == DEDUCTIBLE), ZERO)
    return IncomeSummary(counted=counted, deducted=deducted, items=items)


@dataclass(frozen=True)
class HouseholdFacts:
    household_id: int
    area_code: str
    hukou_type: str
    members: tuple[MemberFact, ...]
    incomes: tuple[IncomeFact, ...]
    assets: tuple[AssetFact, ...]

    def members_in(self, month: date) -> list[MemberFact]:
        return [m for m in self.members if m.present_in(month)]

    def income_in(self, month: date) -> IncomeSummary:
        return income_in(self.incomes, {m.person_id for m in self.members_in(month)}, month)

    def disqualifying_assets(self) -> list[AssetFact]:
        return [a for a in self.assets if a.disqualifies]


@dataclass(frozen=True)
class PersonFacts:
    person_id: int
    name: str
    area_code: str
    birth_date: date | None
    death_date: date | None
    disabilities: tuple[tuple[str, int, str], ...]  # current ones: (category, grade, "肢体残疾一级")
    incomes: tuple[IncomeFact, ...]
    assets: tuple[AssetFact, ...]

    def income_in(self, month: date) -> IncomeSummary:
        return income_in(self.incomes, {self.person_id}, month)


def _income_facts(rows) -> tuple[IncomeFact, ...]:
    return tuple(IncomeFact(person_id=i.person_id, person_name=i.person.name, category_name=i.category.name,
                            kind=i.category.kind, monthly_amount=i.monthly_amount, start_month=i.start_month,
                            end_month=i.end_month) for i in rows)


def _asset_facts(rows) -> tuple[AssetFact, ...]:
    return tuple(AssetFact(person_id=a.person_id, kind=a.kind, kind_label=a.get_kind_display(),
                           description=a.description, exempt=a.exempt) for a in rows)


def load_household_facts(household) -> HouseholdFacts:
    members = household.members.select_related("person").order_by("id")
    return HouseholdFacts(
        household_id=household.pk, area_code=household.area_id, hukou_type=household.hukou_type,
        members=tuple(MemberFact(person_id=m.person_id, name=m.person.name, relation=m.relation,
                                 birth_date=m.person.birth_date, death_date=m.person.death_date,
                                 left_on=m.left_on, is_active=m.is_active) for m in members),
        incomes=_income_facts(household.incomes.select_related("person", "category").order_by("id")),
        assets=_asset_facts(household.assets.order_by("id")),
    )


def load_person_facts(person) -> PersonFacts:
    disabilities = person.disabilities.filter(is_current=True).order_by("id")
    return PersonFacts(
        person_id=person.pk, name=person.name, area_code=person.area_id, birth_date=person.birth_date,
        death_date=person.death_date,
        disabilities=tuple((d.category, d.grade, str(d)) for d in disabilities),
        incomes=_income_facts(person.incomes.select_related("person", "category").order_by("id")),
        assets=_asset_facts(person.assets.order_by("id")),
    )
