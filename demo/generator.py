"""The demo district generator (演示数据生成): households of realistic people, from one seed, in plain Python.

Everything is drawn from one `random.Random(seed)` in a fixed order and ages are counted from
`REFERENCE_DATE`, so the same seed and size give the same people on any day and any database. Nothing here
touches the database: `demo.loader` turns the households into rows, the benchmark turns them into a CSV.
"""

import bisect
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from demo import data

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Sequence numbers per birth date and sex: odd for men (1..997), even for women (2..998); 499 is prime, so the
# stride below visits every slot once and the numbers do not look like a counter.
_SEQ_SLOTS = 499
_SEQ_STRIDE = 37
MAX_HOUSEHOLD_SIZE = 6
_PROVINCES = {"11": "北京市", "12": "天津市", "31": "上海市", "50": "重庆市"}


def id_number_build(prefix: str, birth: date, sequence: int) -> str:
    """A GB 11643 number: 6-digit address code, birth date, 3-digit sequence (odd = male) and check digit."""
    body = f"{prefix}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]


@dataclass(frozen=True)
class Community:
    """A village or community the demo puts households in, with its town for hukou and address."""

    code: str
    name: str
    town_name: str


@dataclass(slots=True)
class PersonSpec:
    name: str
    sex: str
    birth_date: date
    relation: str
    id_number: str | None
    no_id_reason: str = ""
    phone: str = ""
    death_date: date | None = None
    incomes: list[tuple[str, Decimal, str]] = field(default_factory=list)  # (category, monthly amount, note)
    disability: tuple[str, int, str, date] | None = None  # (category, grade, certificate number, issued on)


@dataclass(slots=True)
class HouseholdSpec:
    area_code: str
    hukou_type: str
    address: str
    since: date
    members: list[PersonSpec]
    assets: list[tuple[str, str, Decimal, bool]] = field(default_factory=list)  # (kind, description, value, exempt)


def _cumulative(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


class DistrictGenerator:
    """Yields `HouseholdSpec`s until `persons` people have been made (the last household may be cut short)."""

    def __init__(self, *, seed: int, communities: list[Community], id_prefix: str, district_name: str,
                 taken_id_numbers: set[str] | None = None) -> None:
        if not communities:
            raise ValueError("没有可用的村（社区）区划，无法生成演示数据")
        self.rng = random.Random(seed)
        self.id_prefix = id_prefix
        self.place = _PROVINCES.get(id_prefix[:2], "") + district_name
        self.taken = taken_id_numbers or set()
        self.communities = communities
        # Some communities are much bigger than others; villages (镇) are smaller than street communities.
        self.community_cum = _cumulative(
            [self.rng.lognormvariate(0, 0.6) * (0.6 if _is_rural_town(c.town_name) else 1.0) for c in communities])
        self.surnames = [s for s, _ in data.SURNAMES]
        self.surname_cum = _cumulative([w for _, w in data.SURNAMES])
        self.type_codes = [t for t, _ in data.HOUSEHOLD_TYPES]
        self.type_cum = _cumulative([w for _, w in data.HOUSEHOLD_TYPES])
        self.age_weights = _age_weights()
        self._age_cum_cache: dict[tuple[int, int], list[float]] = {}
        self._sequence_used: dict[tuple[int, str], int] = {}
        self.reference_ordinal = data.REFERENCE_DATE.toordinal()

    # --- households -------------------------------------------------------------------------------------------

    def households(self, persons: int) -> Iterator[HouseholdSpec]:
        made = 0
        while made < persons:
            household = self._household()
            household.members = household.members[: persons - made]
            made += len(household.members)
            yield household

    def _household(self) -> HouseholdSpec:
        rng = self.rng
        community = self.communities[bisect.bisect(self.community_cum, rng.random() * self.community_cum[-1])]
        kind = self.type_codes[bisect.bisect(self.type_cum, rng.random() * self.type_cum[-1])]
        rural = rng.random() < _rural_share(community)
        members = getattr(self, f"_members_{kind}")()[:MAX_HOUSEHOLD_SIZE]
        head_age = members[0][2]
        since_years = rng.randint(0, max(0, min(35, head_age - 20)))
        since = date.fromordinal(self.reference_ordinal - since_years * 365 - rng.randrange(365))
        people = [self._person(relation, sex, age, surname, rural) for relation, sex, age, surname in members]
        self._deaths(kind, people)
        return HouseholdSpec(area_code=community.code, hukou_type="rural" if rural else "urban",
                             address=self._address(community, rural), since=since, members=people,
                             assets=self._assets(rural))

    # Each `_members_<type>` returns [(relation, sex, age, surname)], head first, ages consistent with relations.

    def _members_single_elderly(self) -> list[tuple]:
        sex = "F" if self.rng.random() < 0.62 else "M"  # women outlive men: most elderly living alone are women
        return [("head", sex, self._age(60, 99), self._surname())]

    def _members_single_adult(self) -> list[tuple]:
        return [("head", self._sex(), self._age(20, 59), self._surname())]

    def _members_elderly_couple(self) -> list[tuple]:
        head_sex, head_age, surname = self._head_sex(), self._age(60, 92), self._surname()
        return [("head", head_sex, head_age, surname), self._spouse(head_sex, head_age)]

    def _members_couple(self) -> list[tuple]:
        head_sex, head_age = self._head_sex(), self._age(22, 59)
        return [("head", head_sex, head_age, self._surname()), self._spouse(head_sex, head_age)]

    def _members_nuclear(self) -> list[tuple]:
        head_sex, head_age, surname = self._head_sex(), self._age(25, 55), self._surname()
        spouse = self._spouse(head_sex, head_age)
        family_name = surname if head_sex == "M" else spouse[3]
        mother_age = head_age if head_sex == "F" else spouse[2]
        return [("head", head_sex, head_age, surname), spouse,
                *self._children("child", mother_age, family_name, self._child_count())]

    def _members_three_generation_up(self) -> list[tuple]:
        """Head with spouse and children, and the head's parent(s) living with them (与父母同住)."""
        people = self._members_nuclear()
        head_sex, head_age, surname = people[0][1], people[0][2], people[0][3]
        father_age = min(99, head_age + self.rng.randint(23, 34))
        parents = [("parent", "M", father_age, surname if head_sex == "M" else self._surname()),
                   ("parent", "F", max(head_age + 20, min(99, father_age - self.rng.randint(0, 5))), self._surname())]
        if self.rng.random() < 0.45:  # one parent only (widowed)
            parents = [parents[self.rng.randrange(2)]]
        return people + parents

    def _members_three_generation_down(self) -> list[tuple]:
        """Older head with spouse, an adult child, the child's spouse and grandchildren (隔代同住)."""
        rng = self.rng
        head_sex, head_age, surname = self._head_sex(), self._age(52, 82), self._surname()
        people = [("head", head_sex, head_age, surname)]
        if rng.random() < 0.8:
            people.append(self._spouse(head_sex, head_age))
        child_sex = self._sex()
        child_age = max(18, head_age - rng.randint(22, 34))
        people.append(("child", child_sex, child_age, surname))
        if rng.random() < 0.7:
            in_law = self._spouse(child_sex, child_age)
            people.append(("other", in_law[1], in_law[2], in_law[3]))  # 儿媳/女婿: no own relation code
            mother_age = child_age if child_sex == "F" else in_law[2]
        else:
            mother_age = child_age
        grandchild_name = surname if child_sex == "M" else self._surname()
        people += self._children("grandchild", mother_age, grandchild_name, 1 if rng.random() < 0.7 else 2)
        return people

    def _members_single_parent(self) -> list[tuple]:
        head_sex = "F" if self.rng.random() < 0.75 else "M"
        head_age, surname = self._age(25, 55), self._surname()
        mother_age = head_age if head_sex == "F" else max(20, head_age - self.rng.randint(0, 4))
        return [("head", head_sex, head_age, surname),
                *self._children("child", mother_age, surname, 1 if self.rng.random() < 0.7 else 2)]

    def _members_siblings(self) -> list[tuple]:
        head_age, surname = self._age(20, 75), self._surname()
        people = [("head", self._sex(), head_age, surname)]
        for _ in range(self.rng.randint(1, 2)):
            people.append(("sibling", self._sex(), max(18, min(99, head_age + self.rng.randint(-8, 8))), surname))
        return people

    def _spouse(self, sex: str, age: int) -> tuple:
        # Husbands are on average two to three years older than their wives.
        gap = round(self.rng.gauss(2.5, 3))
        spouse_age = age - gap if sex == "M" else age + gap
        return ("spouse", "F" if sex == "M" else "M", max(20, min(99, spouse_age)), self._surname())

    def _children(self, relation: str, mother_age: int, surname: str, count: int) -> list[tuple]:
        children, age = [], mother_age - self.rng.randint(21, 36)
        for _ in range(count):
            if age < 0:
                break
            children.append((relation, self._sex(), age, surname))
            age -= self.rng.randint(2, 7)
        return children

    def _child_count(self) -> int:
        roll = self.rng.random()
        return 1 if roll < 0.52 else 2 if roll < 0.92 else 3

    # --- people -----------------------------------------------------------------------------------------------

    def _person(self, relation: str, sex: str, age: int, surname: str, rural: bool) -> PersonSpec:
        rng = self.rng
        birth = date.fromordinal(self.reference_ordinal - age * 365 - age // 4 - rng.randrange(365))
        if birth > data.REFERENCE_DATE:
            birth = data.REFERENCE_DATE
        name = surname + self._given_name(sex, birth.year)
        id_number, no_id_reason = self._id_number(birth, sex), ""
        if (data.REFERENCE_DATE - birth).days < 60 and rng.random() < 0.5:
            id_number, no_id_reason = None, "newborn"  # 新生儿未落户: registered before the hukou
        phone = self._phone() if 16 <= age <= 85 and rng.random() < 0.85 else ""
        person = PersonSpec(name=name, sex=sex, birth_date=birth, relation=relation, id_number=id_number,
                            no_id_reason=no_id_reason, phone=phone)
        person.incomes = self._incomes(age, rural)
        person.disability = self._disability(age, birth, id_number)
        return person

    def _given_name(self, sex: str, birth_year: int) -> str:
        older = birth_year < 1985
        pool = (data.GIVEN_OLD_MALE if older else data.GIVEN_NEW_MALE) if sex == "M" else (
            data.GIVEN_OLD_FEMALE if older else data.GIVEN_NEW_FEMALE)
        if self.rng.random() < (0.3 if older else 0.15):
            return self.rng.choice(pool)
        return self.rng.choice(pool) + self.rng.choice(pool)

    def _id_number(self, birth: date, sex: str) -> str:
        """A unique number for this birth date and sex; a full day moves the date on (it never happens in practice)."""
        while True:
            key = (birth.toordinal(), sex)
            used = self._sequence_used.get(key, 0)
            if used >= _SEQ_SLOTS:
                birth += timedelta(days=1)
                continue
            self._sequence_used[key] = used + 1
            slot = (used * _SEQ_STRIDE + key[0]) % _SEQ_SLOTS
            number = id_number_build(self.id_prefix, birth, 2 * slot + (1 if sex == "M" else 2))
            if number not in self.taken:
                return number

    def _phone(self) -> str:
        return self.rng.choice(data.MOBILE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"

    def _incomes(self, age: int, rural: bool) -> list[tuple[str, Decimal, str]]:
        rng = self.rng
        if age >= 60:
            # Pensions: urban retirees draw an enterprise pension, rural elderly the small residents' pension.
            if rural and rng.random() < 0.8:
                return [("transfer", _money(rng.uniform(130, 450)), "城乡居民基本养老保险")]
            if not rural and rng.random() < 0.75:
                return [("transfer", _money(rng.uniform(1800, 4800)), "退休养老金")]
            return []
        if age < 18 or (age < 23 and rng.random() < 0.6):  # children and students have no income of their own
            return []
        roll = rng.random()
        if roll < 0.08:
            return []
        category = ("business" if roll < 0.50 else "wage" if roll < 0.93 else "transfer") if rural else (
            "wage" if roll < 0.82 else "business" if roll < 0.94 else "transfer")
        return [(category, self._earning(rural), "")]

    def _earning(self, rural: bool) -> Decimal:
        """A monthly amount of 0–8000 yuan; many near the 低保 line of 770 yuan."""
        rng, roll = self.rng, self.rng.random()
        if roll < (0.4 if rural else 0.25):
            return _money(rng.triangular(0, 1600, 770))
        if roll < 0.85:
            return _money(rng.uniform(1600, 5000))
        return _money(rng.uniform(5000, 8000))

    def _disability(self, age: int, birth: date, id_number: str | None) -> tuple | None:
        rng = self.rng
        rate = next(r for low, r in reversed(data.DISABILITY_RATE_BY_AGE) if age >= low)
        if id_number is None or rng.random() >= rate:
            return None
        category, digit, _ = rng.choices(data.DISABILITY_CATEGORIES, cum_weights=_DISABILITY_CUM)[0]
        grade = rng.choices(data.DISABILITY_GRADES, cum_weights=_GRADE_CUM)[0][0]
        first_day = max(birth.toordinal(), self.reference_ordinal - 15 * 365)
        issued = date.fromordinal(rng.randint(first_day, self.reference_ordinal))
        # 第二代残疾人证号: the ID number followed by the category digit and the grade digit.
        return category, grade, f"{id_number}{digit}{grade}", issued

    def _deaths(self, kind: str, people: list[PersonSpec]) -> None:
        """A few older members (never the head) died in the last three years: kept, with a death date."""
        rng = self.rng
        for person in people[1:]:
            age = data.REFERENCE_DATE.year - person.birth_date.year
            if age >= 70 and person.relation in ("spouse", "parent") and rng.random() < 0.1:
                earliest = max(person.birth_date.toordinal() + 1, self.reference_ordinal - 3 * 365)
                person.death_date = date.fromordinal(rng.randint(earliest, self.reference_ordinal - 1))
                person.incomes, person.disability = [], None

    def _assets(self, rural: bool) -> list[tuple[str, str, Decimal, bool]]:
        rng, assets = self.rng, []
        if rng.random() < 0.35:
            assets.append(("deposit", "银行存款", _money(rng.lognormvariate(10.3, 1.0)), False))
        if rng.random() < (0.15 if rural else 0.25):
            value = rng.uniform(60_000, 300_000) if rural else rng.uniform(300_000, 1_500_000)
            assets.append(("house", "自住房", _money(value), True))  # the only home is 生产生活必需
        if rng.random() < 0.1:
            assets.append(("vehicle", "小型汽车", _money(rng.uniform(30_000, 200_000)), False))
        if rng.random() < 0.03:
            assets.append(("business", "个体工商户", _money(rng.uniform(10_000, 300_000)), False))
        if rng.random() < 0.03:
            assets.append(("debt", "银行贷款", _money(rng.uniform(10_000, 200_000)), False))
        return assets

    def _address(self, community: Community, rural: bool) -> str:
        rng, where = self.rng, f"{self.place}{community.town_name}{_place_name(community.name)}"
        if rural:
            return f"{where}{rng.randint(1, 12)}组{rng.randint(1, 99)}号"
        return f"{where}{rng.randint(1, 300)}号{rng.randint(1, 30)}栋{rng.randint(1, 33)}-{rng.randint(1, 8)}"

    # --- draws ------------------------------------------------------------------------------------------------

    def _age(self, low: int, high: int) -> int:
        cum = self._age_cum_cache.get((low, high))
        if cum is None:
            cum = self._age_cum_cache[low, high] = _cumulative(self.age_weights[low: high + 1])
        return low + bisect.bisect(cum, self.rng.random() * cum[-1])

    def _surname(self) -> str:
        return self.surnames[bisect.bisect(self.surname_cum, self.rng.random() * self.surname_cum[-1])]

    def _sex(self) -> str:
        return "M" if self.rng.random() < 0.512 else "F"

    def _head_sex(self) -> str:
        return "M" if self.rng.random() < 0.72 else "F"


_DISABILITY_CUM = _cumulative([w for _, _, w in data.DISABILITY_CATEGORIES])
_GRADE_CUM = _cumulative([w for _, w in data.DISABILITY_GRADES])


def _age_weights() -> list[float]:
    weights = [0.0] * 100
    for low, high, share in data.AGE_BANDS:
        for age in range(low, high + 1):
            weights[age] = share / (high - low + 1)
    return weights


def _money(value: float) -> Decimal:
    """Whole yuan, as most recorded monthly amounts are."""
    return Decimal(max(0, round(value))).quantize(Decimal("0.01"))


def _place_name(name: str) -> str:
    """关口村村民委员会 → 关口村, 思贤社区居民委员会 → 思贤社区: the place, not its committee."""
    for suffix in ("村民委员会", "居民委员会", "委员会"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _is_rural_town(town_name: str) -> bool:
    return town_name.endswith(("镇", "乡"))


def _rural_share(community: Community) -> float:
    """镇 and 村 are mostly 农村户籍, 街道 and 社区 mostly 城镇户籍."""
    if community.name.endswith(("村", "村民委员会")):
        return 0.9
    return 0.75 if _is_rural_town(community.town_name) else 0.08
