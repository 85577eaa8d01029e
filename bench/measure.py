"""The measurements of the benchmark (基准测试), run inside Django against an already loaded demo district.

Called by `bench/run.py` in a child process whose DATABASE_URL points at the benchmark database; returns plain
dicts that run.py turns into the report. Every figure is wall-clock time around the real code path the pages use.
"""

import csv
import io
import math
import random
import statistics
import time
from collections.abc import Callable

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Max, Min
from django.test import Client
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from registry.models import HukouType, Person, Relation
from registry.selectors import keyset_page, person_search, persons_visible

OFFICER = "district_officer"
PAGE = 50
IMPORT_ID_PREFIX = "500107"  # people moving in from 九龙坡区: their numbers cannot clash with the demo's 500106
IMPORT_HEADERS = ["户编号", "姓名", "身份证号", "无证原因", "与户主关系", "村社区代码", "户籍类型", "联系电话", "住址"]


def run_times(fn: Callable[[object], object], inputs: list) -> list[float]:
    """Run fn once per input, after a short warm-up, and return the wall-clock times in milliseconds."""
    for item in inputs[:5]:
        fn(item)
    times = []
    for item in inputs:
        started = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - started) * 1000)
    return times


def timings(fn: Callable[[object], object], inputs: list) -> dict:
    return summary_ms(run_times(fn, inputs))


def summary_ms(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"n": len(ordered), "median_ms": round(statistics.median(ordered), 3),
            "p95_ms": round(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], 3),
            "max_ms": round(ordered[-1], 3)}


def officer() -> User:
    return User.objects.get(username=OFFICER)


def sample_people(rng: random.Random, count: int) -> list[tuple[int, str, str, str, str]]:
    """`count` random people (pk, id_number, name, pinyin, initials), picked by random key, not by OFFSET."""
    count = min(count, Person.objects.exclude(id_number=None).count())
    bounds = Person.objects.aggregate(low=Min("id"), high=Max("id"))
    picked: dict[int, tuple] = {}
    while len(picked) < count:
        wanted = sorted({rng.randint(bounds["low"], bounds["high"]) for _ in range(count)})
        rows = Person.objects.filter(pk__in=wanted, id_number__isnull=False).values_list(
            "pk", "id_number", "name", "name_pinyin", "name_initials")
        picked |= {row[0]: row for row in rows}
    keys = sorted(picked)
    rng.shuffle(keys)
    return [picked[k] for k in keys[:count]]


def id_lookups(*, user, rng: random.Random, count: int) -> dict:
    numbers = [p[1] for p in sample_people(rng, count)]

    def lookup(number: str) -> None:
        found = list(person_search(user=user, query=number))
        assert len(found) == 1, number

    return timings(lookup, numbers)


def id_suffix_searches(*, user, rng: random.Random, count: int) -> dict:
    """尾号: the last 4 or 6 digits of random people's numbers, first page of 50 through person_search (the index on
    the reversed number), next to the same search as `id_number LIKE '%…'` (what it costs without that index)."""
    suffixes = [number[-4:] if i % 2 else number[-6:] for i, (_, number, *_) in enumerate(sample_people(rng, count))]

    def indexed(digits: str) -> None:
        rows, _ = keyset_page(person_search(user=user, query=digits), after=None, size=PAGE)
        assert rows, digits

    def scanned(digits: str) -> None:
        rows, _ = keyset_page(persons_visible(user).filter(id_number__endswith=digits), after=None, size=PAGE)
        assert rows, digits

    return {"indexed": {**timings(indexed, suffixes), "examples": suffixes[:3]},
            "like_scan": timings(scanned, suffixes[: max(10, count // 4)])}


def search_queries(rng: random.Random, count: int) -> dict[str, list[str]]:
    """Three kinds of name search a worker types: part of a Chinese name, a pinyin prefix, the initials."""
    people = sample_people(rng, count)
    third = count // 3
    chinese = [name if i % 2 else name[1:] if len(name) > 2 else name for i, (_, _, name, _, _) in
               enumerate(people[:third])]
    pinyin = [py[: max(4, len(py) - 3)] for _, _, _, py, _ in people[third: 2 * third]]
    initials = [ini for _, _, _, _, ini in people[2 * third:]]
    return {"chinese_substring": chinese, "pinyin_prefix": pinyin, "initials": initials}


def name_searches(*, user, rng: random.Random, count: int) -> dict:
    def first_page(query: str) -> None:
        keyset_page(person_search(user=user, query=query), after=None, size=PAGE)

    queries = search_queries(rng, count)
    result = {kind: {**timings(first_page, items), "examples": items[:3]} for kind, items in queries.items()}
    result["all"] = timings(first_page, [q for items in queries.values() for q in items])
    return result


def list_pages(*, user, rng: random.Random, count: int) -> dict:
    """GET /persons/ as the district officer: first page, `?after=` pages deep in the list, and `?q=` searches."""
    try:
        url = reverse("person-list")
    except NoReverseMatch:
        return selector_pages(user=user, rng=rng, count=count)
    client = Client()
    client.force_login(user)
    bounds = Person.objects.aggregate(low=Min("id"), high=Max("id"))
    afters = [rng.randint(bounds["low"], bounds["high"]) for _ in range(count // 2)]
    searches = [q for items in search_queries(rng, count - len(afters)).values() for q in items]

    def get(params: dict) -> None:
        response = client.get(url, params)
        assert response.status_code == 200, response.status_code

    groups = {"first_page": [{}] * 20, "after_pages": [{"after": a} for a in afters],
              "searches": [{"q": q} for q in searches]}
    times = {name: run_times(get, params) for name, params in groups.items()}
    return {"via": f"django.test.Client GET {url}（已登录为 {user.username}）",
            **{name: summary_ms(t) for name, t in times.items()},
            "all": summary_ms([t for group in times.values() for t in group])}


def selector_pages(*, user, rng: random.Random, count: int) -> dict:
    """Fallback while the list page does not exist: the selector the page runs."""
    bounds = Person.objects.aggregate(low=Min("id"), high=Max("id"))
    afters = [None] + [rng.randint(bounds["low"], bounds["high"]) for _ in range(count - 1)]
    return {"via": "keyset_page(persons_visible(user), after=…, size=50) — 页面尚未提供，按选择器计时",
            "all": timings(lambda a: keyset_page(persons_visible(user), after=a, size=PAGE), afters)}


# --- import ---------------------------------------------------------------------------------------------------

def import_csv(*, rows: int, seed: int) -> bytes:
    """A persons_households CSV of `rows` people not in the database, in households across the district."""
    from demo.generator import DistrictGenerator
    from demo.loader import district_of

    user = officer()
    district = district_of(user.area_id)
    generator = DistrictGenerator(seed=seed, communities=district.communities, id_prefix=IMPORT_ID_PREFIX,
                                  district_name=district.area.name)
    relation, hukou = dict(Relation.choices), dict(HukouType.choices)
    no_id = dict(Person.NoIdReason.choices)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IMPORT_HEADERS)
    for number, household in enumerate(generator.households(rows), start=1):
        for person in household.members:
            writer.writerow([f"B{number:07d}", person.name, person.id_number or "",
                             no_id[person.no_id_reason] if person.no_id_reason else "", relation[person.relation],
                             household.area_code, hukou[household.hukou_type], person.phone, household.address])
    return out.getvalue().encode("utf-8")


def import_run(*, user, content: bytes, rows: int) -> dict:
    """Time import_file_run end to end (stage, validate, commit) and remove what it wrote afterwards."""
    try:
        from imports.services import import_file_run
    except ImportError as exc:
        return {"missing": f"imports.services.import_file_run 不可用：{exc}"}
    marks = _high_water_marks()
    started = time.perf_counter()
    try:
        batch = import_file_run(acting_user=user, schema="persons_households", filename="bench-import.csv",
                                content=content, mode="good_only")
        seconds = time.perf_counter() - started
        result = {"seconds": round(seconds, 2), "rows_per_s": round(rows / seconds), "status": batch.status,
                  "total_rows": batch.total_rows, "good_rows": batch.good_rows, "bad_rows": batch.bad_rows,
                  "committed_rows": batch.committed_rows, "error": batch.error[:500]}
    finally:
        result_cleanup = _remove_rows_above(marks)
    result["cleanup_rows_removed"] = result_cleanup
    return result


def raw_bulk(*, content: bytes, rows: int) -> dict:
    """The database's own bulk path on the same file into a bare table of the same nine columns."""
    columns = ", ".join(f"c{i} text" for i in range(len(IMPORT_HEADERS)))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE UNLOGGED TABLE bench_raw ({columns})")
            started = time.perf_counter()
            with transaction.atomic(), cursor.cursor.copy(
                    "COPY bench_raw FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                copy.write(content)
            seconds = time.perf_counter() - started
            how = ("PostgreSQL COPY bench_raw FROM STDIN WITH (FORMAT csv, HEADER true)"
                   "（UNLOGGED 表，psycopg 3 cursor.copy）")
        else:
            cursor.execute(f"CREATE TABLE bench_raw ({columns})")
            marks = ", ".join(["%s"] * len(IMPORT_HEADERS))
            started = time.perf_counter()
            with transaction.atomic():
                reader = csv.reader(io.StringIO(content.decode("utf-8")))
                next(reader)
                cursor.executemany(f"INSERT INTO bench_raw VALUES ({marks})", list(reader))
            seconds = time.perf_counter() - started
            how = "SQLite csv.reader + executemany INSERT INTO bench_raw（一个事务）"
        count = _count(cursor, "bench_raw")
        cursor.execute("DROP TABLE bench_raw")
    assert count == rows, (count, rows)
    return {"seconds": round(seconds, 3), "rows_per_s": round(rows / seconds), "how": how}


def _count(cursor, table: str) -> int:
    cursor.execute(f"SELECT COUNT(*) FROM {table}")
    return cursor.fetchone()[0]


_CLEAN_APPS = ("registry", "audit", "imports", "jobs")


def _high_water_marks() -> dict:
    marks = {}
    for model in _integer_pk_models():
        marks[model] = model._default_manager.aggregate(top=Max("pk"))["top"] or 0
    return marks


def _integer_pk_models() -> list:
    return [m for app in _CLEAN_APPS for m in apps.get_app_config(app).get_models()
            if m._meta.pk.get_internal_type() in ("AutoField", "BigAutoField")]


def _remove_rows_above(marks: dict) -> int:
    """Delete every row the import added (ids above the marks), in one transaction: FK checks are deferred."""
    removed = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for model, top in marks.items():
            table, pk = model._meta.db_table, model._meta.pk.column
            cursor.execute(f'DELETE FROM "{table}" WHERE "{pk}" > %s', [top])
            removed += cursor.rowcount
    return removed


def database_facts() -> dict:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(" on ")[0]
            cursor.execute("SHOW shared_buffers")
            extra = {"shared_buffers": cursor.fetchone()[0]}
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            extra["database_size"] = cursor.fetchone()[0]
        else:
            import sqlite3

            version, extra = f"SQLite {sqlite3.sqlite_version}", {}
        persons = Person.objects.count()
        households = apps.get_model("registry", "Household").objects.count()
    return {"vendor": connection.vendor, "version": version, "persons": persons, "households": households, **extra}
