"""Writing the demo district to the database, set-based (演示数据入库).

Households come from `DistrictGenerator` and are turned into plain row tuples, a chunk at a time (50,000 people
by default), and each chunk is written in one transaction by the database's own bulk path: `COPY … FROM STDIN`
through psycopg 3 on PostgreSQL, one batched `executemany` per table elsewhere. Nothing is written per row, so
1.5 million people load in minutes.

Audit: every person and every household gets its ChangeLog 'create' row (source 命令, reason 演示数据), written
set-based in the same chunk, so a demo person's history page looks like any other person's. Domain events are
not written: they narrate a user's actions, and nobody acted here.
"""

import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from areas.models import Area, AreaLevel
from areas.services import areas_load, read_area_file
from audit.context import current
from audit.models import ChangeLog
from demo.data import REFERENCE_DATE
from demo.generator import Community, DistrictGenerator, HouseholdSpec
from minzheng import sql as dialect
from registry import search_index
from registry.models import Asset, Disability, Household, HouseholdMember, Income, Person
from registry.names import name_keys

DEMO_REASON = "演示数据"

PERSON_COLUMNS = ("id", "id_number", "no_id_reason", "other_document", "name", "name_pinyin", "name_initials", "sex",
                  "birth_date", "area_id", "phone", "status", "death_date", "created_at", "updated_at")
HOUSEHOLD_COLUMNS = ("id", "area_id", "hukou_type", "address", "status", "created_at", "updated_at")
MEMBER_COLUMNS = ("household_id", "person_id", "relation", "area_id", "joined_on", "left_on", "is_active")
INCOME_COLUMNS = ("household_id", "person_id", "category_id", "monthly_amount", "start_month", "end_month",
                  "area_id", "note", "created_at")
ASSET_COLUMNS = ("household_id", "person_id", "kind", "description", "value", "exempt", "area_id", "created_at")
DISABILITY_COLUMNS = ("person_id", "category", "grade", "certificate_number", "issued_on", "is_current", "area_id")
CHANGELOG_COLUMNS = ("time", "user_id", "request_id", "source", "model", "object_id", "object_repr", "action",
                     "before", "after", "reason")


@dataclass(frozen=True)
class District:
    """The district the demo fills: its area, its towns in code order, and its current communities."""

    area: Area
    towns: list[Area]
    communities: list[Community]

    @property
    def id_prefix(self) -> str:
        return self.area.code[:6]


@dataclass
class LoadSummary:
    persons: int = 0
    households: int = 0
    members: int = 0
    incomes: int = 0
    assets: int = 0
    disabilities: int = 0
    deceased: int = 0
    change_logs: int = 0
    seconds: float = 0.0
    chunk_seconds: list[float] = field(default_factory=list)


def district_ensure(*, path: Path, edition: str = "2023") -> District:
    """The district of an area file, loading its area tree first when the district is not in the database."""
    rows = read_area_file(path)
    district_row = next((r for r in rows if r.level == AreaLevel.DISTRICT), None)
    if district_row is None:
        raise ValueError(f"区划文件中没有区县一级的区划：{path}")
    if not Area.objects.filter(code=district_row.code).exists():
        areas_load(rows=rows, edition=edition)
    return district_of(district_row.code)


def district_of(code: str) -> District:
    area = Area.objects.get(code=code)
    prefix = area.scope_prefix
    towns = list(Area.objects.filter(level=AreaLevel.TOWN, code__startswith=prefix, valid_to__isnull=True)
                 .order_by("code"))
    town_names = {t.code: t.name for t in towns}
    communities = [
        Community(code=c.code, name=c.name, town_name=town_names.get(c.parent_id, ""))
        for c in Area.objects.filter(level=AreaLevel.COMMUNITY, code__startswith=prefix, valid_to__isnull=True)
        .order_by("code")
    ]
    return District(area=area, towns=towns, communities=communities)


def demo_population_load(*, district: District, persons: int, seed: int, chunk_size: int = 50_000,
                         progress: Callable[[str], None] | None = None) -> LoadSummary:
    """Generate `persons` people in households across the district's communities and write them set-based."""
    started = time.perf_counter()
    taken = set(Person.objects.filter(id_number__startswith=district.id_prefix)
                .values_list("id_number", flat=True))
    generator = DistrictGenerator(seed=seed, communities=district.communities, id_prefix=district.id_prefix,
                                  district_name=district.area.name, taken_id_numbers=taken)
    rows = _RowBuilder(next_person_id=_next_id(Person), next_household_id=_next_id(Household))
    summary = LoadSummary()
    with _indexes_deferred(fresh=not taken and not Person.objects.exists()):
        for household in generator.households(persons):
            rows.add(household)
            if rows.person_count >= chunk_size:
                _flush(rows, summary, progress)
        _flush(rows, summary, progress)
    _after_load()
    summary.seconds = time.perf_counter() - started
    return summary


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1


def _flush(rows: "_RowBuilder", summary: LoadSummary, progress: Callable[[str], None] | None) -> None:
    if not rows.persons:
        return
    chunk_started = time.perf_counter()
    with transaction.atomic():
        # Parents before children: the foreign keys are checked at commit anyway, this keeps SQLite happy too.
        table_write(Household, HOUSEHOLD_COLUMNS, rows.households)
        with search_index.bulk_inserts(connection):
            table_write(Person, PERSON_COLUMNS, rows.persons)
        table_write(HouseholdMember, MEMBER_COLUMNS, rows.members)
        table_write(Income, INCOME_COLUMNS, rows.incomes)
        table_write(Asset, ASSET_COLUMNS, rows.assets)
        table_write(Disability, DISABILITY_COLUMNS, rows.disabilities)
        table_write(ChangeLog, CHANGELOG_COLUMNS, rows.change_logs)
    rows.count_into(summary)
    summary.chunk_seconds.append(time.perf_counter() - chunk_started)
    if progress:
        progress(f"已写入 {summary.persons:,} 人、{summary.households:,} 户"
                 f"（本批 {summary.chunk_seconds[-1]:.1f} 秒）")
    rows.clear()


LOADED_MODELS = (Person, Household, HouseholdMember, Income, Asset, Disability, ChangeLog)

# Secondary indexes of the loaded tables: not those that back a constraint (primary keys), which stay.
_SECONDARY_INDEXES = """
    SELECT i.indexname, i.indexdef FROM pg_indexes i
    WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                      WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
    ORDER BY i.tablename, i.indexname
"""


@contextmanager
def _indexes_deferred(*, fresh: bool) -> Iterator[None]:
    """Into an empty registry on PostgreSQL: drop the secondary indexes, load, then build them again.

    Keeping a dozen B-trees on random keys (ID number, name, pinyin) up to date row by row is most of the cost of
    a large load once they outgrow memory; building them afterwards sorts once. The definitions are read from
    the database itself and replayed exactly, also when the load fails. Not done inside a transaction (tests)
    or on SQLite, where the load is small.
    """
    if not fresh or not dialect.is_postgres() or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(_SECONDARY_INDEXES, [[m._meta.db_table for m in LOADED_MODELS]])
        saved = cursor.fetchall()
        for name, _ in saved:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _, definition in saved:
                # A partitioned table's index reads "ON ONLY parent": replayed as is, it would come back on the
                # parent alone, invalid, and the partitions (the change log is partitioned by month) without it.
                # Built on the parent, PostgreSQL builds and attaches each partition's index under its old name.
                cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
            cursor.execute("RESET maintenance_work_mem")


def _after_load() -> None:
    """Explicit ids were written, so PostgreSQL's sequences must move past them; fresh statistics help plans.

    On PostgreSQL outside a transaction it is VACUUM (ANALYZE): what autovacuum would soon do after a bulk load
    anyway, done now so that it does not compete with the first users (and index-only scans work at once).
    """
    from django.core.management.color import no_style

    vacuum = dialect.is_postgres() and not connection.in_atomic_block
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Person, Household]):
            cursor.execute(sql)
        for table in [m._meta.db_table for m in LOADED_MODELS]:
            cursor.execute(f"{'VACUUM (ANALYZE)' if vacuum else 'ANALYZE'} {connection.ops.quote_name(table)}")


def table_write(model: type[models.Model], columns: Iterable[str], rows: list[tuple]) -> None:
    """Insert rows (values in `columns` order) by the database's bulk path: COPY on PostgreSQL, else executemany."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        if dialect.is_postgres():
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(rows[0]))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


class _RowBuilder:
    """Turns generated households into row tuples for one chunk, giving persons and households their ids."""

    def __init__(self, *, next_person_id: int, next_household_id: int) -> None:
        self.next_person_id, self.next_household_id = next_person_id, next_household_id
        now = timezone.now()
        self.stamp = connection.ops.adapt_datetimefield_value(now)
        self.stamp_iso = now.isoformat()
        self.request_id = current().request_id
        self.income_month = REFERENCE_DATE.replace(month=1, day=1)
        self.keys = lru_cache(maxsize=None)(name_keys)
        self.clear()

    def clear(self) -> None:
        self.persons: list[tuple] = []
        self.households: list[tuple] = []
        self.members: list[tuple] = []
        self.incomes: list[tuple] = []
        self.assets: list[tuple] = []
        self.disabilities: list[tuple] = []
        self.change_logs: list[tuple] = []
        self.deceased = 0

    @property
    def person_count(self) -> int:
        return len(self.persons)

    def add(self, household: HouseholdSpec) -> None:
        household_id, area = self.next_household_id, household.area_code
        self.next_household_id += 1
        self.households.append((household_id, area, household.hukou_type, household.address, "active",
                                self.stamp, self.stamp))
        self._log("registry.household", household_id, f"{household.members[0].name}户", {
            "id": household_id, "area_id": area, "hukou_type": household.hukou_type, "address": household.address,
            "status": "active", "created_at": self.stamp_iso, "updated_at": self.stamp_iso})
        head_id = None
        for member in household.members:
            person_id = self._person(member, area)
            head_id = head_id or person_id
            joined = max(household.since, member.birth_date)
            if member.death_date is not None:
                joined = min(joined, member.death_date)
            self.members.append((household_id, person_id, member.relation, area, joined, member.death_date,
                                 member.death_date is None))
            for category, amount, note in member.incomes:
                self.incomes.append((household_id, person_id, category, amount, self.income_month, None, area, note,
                                     self.stamp))
        for kind, description, value, exempt in household.assets:
            self.assets.append((household_id, head_id, kind, description, value, exempt, area, self.stamp))

    def _person(self, member, area: str) -> int:
        person_id = self.next_person_id
        self.next_person_id += 1
        pinyin, initials = self.keys(member.name)
        status = "active" if member.death_date is None else "deceased"
        self.deceased += member.death_date is not None
        self.persons.append((person_id, member.id_number, member.no_id_reason, "", member.name, pinyin, initials,
                             member.sex, member.birth_date, area, member.phone, status, member.death_date,
                             self.stamp, self.stamp))
        self._log("registry.person", person_id, member.name, {
            "id": person_id, "id_number": member.id_number, "no_id_reason": member.no_id_reason,
            "other_document": "", "name": member.name, "name_pinyin": pinyin, "name_initials": initials,
            "sex": member.sex, "birth_date": member.birth_date.isoformat(), "area_id": area, "phone": member.phone,
            "status": status, "death_date": _iso(member.death_date), "created_at": self.stamp_iso,
            "updated_at": self.stamp_iso})
        if member.disability:
            category, grade, certificate, issued = member.disability
            self.disabilities.append((person_id, category, grade, certificate, issued, True, area))
        return person_id

    def _log(self, model: str, object_id: int, text: str, after: dict) -> None:
        self.change_logs.append((self.stamp, None, self.request_id, "command", model, str(object_id), text[:200],
                                 "create", None, json.dumps(after), DEMO_REASON))

    def count_into(self, summary: LoadSummary) -> None:
        summary.persons += len(self.persons)
        summary.households += len(self.households)
        summary.members += len(self.members)
        summary.incomes += len(self.incomes)
        summary.assets += len(self.assets)
        summary.disabilities += len(self.disabilities)
        summary.deceased += self.deceased
        summary.change_logs += len(self.change_logs)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
