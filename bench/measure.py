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


def home_pages(*, count: int) -> dict:
    """GET / (the persona's desk) as each demo persona of the first district: `count` requests each after one
    warm-up, figures per role (issue 10: p95 < 150 ms on the 1.5 M-person database)."""
    from demo.personas import demo_logins

    out: dict = {}
    seen_roles: set[str] = set()
    for login in demo_logins():
        if login.role_name in seen_roles:  # one account per role: the desk differs by role, not by person
            continue
        seen_roles.add(login.role_name)
        client = Client()
        client.force_login(User.objects.get(username=login.username))

        def get(_: object, client: Client = client) -> None:
            response = client.get("/")
            assert response.status_code == 200, response.status_code

        get(None)
        out[login.role_name] = {"username": login.username, **summary_ms(run_times(get, [None] * count))}
    return out


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
    from imports.schemas.persons_households_sql import _char_syllables, cached_name_keys

    cached_name_keys.cache_clear()  # cold, like the hand-written reference
    _char_syllables.cache_clear()
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


# --- the like-for-like reference: hand-written SQL writing the rows the import writes ---------------------------

def _label_case(column: str, choices) -> str:
    """A CASE mapping the file's Chinese labels to the stored codes (the generated file uses labels only)."""
    whens = " ".join(f"WHEN '{label}' THEN '{value}'" for value, label in choices)
    return f"CASE {column} {whens} END"


def handwritten_sql(*, user, content: bytes, rows: int) -> dict:
    """The same rows as `import_file_run` on this (all-good) file — persons, households, members, their change log
    and one event per household — written by hand-written SQL in one transaction, without any checking: COPY the
    CSV into a temporary table, the 拼音 keys of the distinct names computed in Python (SQL cannot; the same
    function and cold cache as the import), then one INSERT … SELECT per table. PostgreSQL only. Removed after."""
    if connection.vendor != "postgresql":
        return {"missing": "手写 SQL 参照只在 PostgreSQL 上测"}
    from imports.schemas.persons_households_sql import _char_syllables, cached_name_keys

    cached_name_keys.cache_clear()
    _char_syllables.cache_clear()
    marks = _high_water_marks()
    relation = _label_case("r.relation", Relation.choices)
    hukou = _label_case("h.hukou", HukouType.choices)
    no_id = _label_case("r.no_id", Person.NoIdReason.choices)
    relation_label = " ".join(f"WHEN '{v}' THEN '{lab}'" for v, lab in Relation.choices)
    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("""CREATE TEMP TABLE hw_raw (n serial, ref text, name text, id_number text, no_id text,
                              relation text, area text, hukou text, phone text, address text) ON COMMIT DROP""")
            columns = "ref, name, id_number, no_id, relation, area, hukou, phone, address"
            # FORCE_NOT_NULL: an empty cell is '' (as the import reads it), not NULL
            with cursor.cursor.copy(f"COPY hw_raw ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true, "
                                    f"FORCE_NOT_NULL ({columns}))") as copy:
                copy.write(content)
            cursor.execute("SELECT DISTINCT name FROM hw_raw")
            names = [(name, *cached_name_keys(name)) for (name,) in cursor.fetchall()]
            cursor.execute("CREATE TEMP TABLE hw_names (name text PRIMARY KEY, pinyin text, initials text) "
                           "ON COMMIT DROP")
            with cursor.cursor.copy("COPY hw_names FROM STDIN") as copy:
                for row in names:
                    copy.write_row(row)
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(f"""
                CREATE TEMP TABLE hw_p ON COMMIT DROP AS
                SELECT nextval(pg_get_serial_sequence('registry_person', 'id')) AS id, r.n, r.ref, r.name,
                       NULLIF(r.id_number, '') AS id_number,
                       CASE WHEN r.id_number = '' THEN {no_id} ELSE '' END AS no_id_reason,
                       k.pinyin, k.initials,
                       CASE WHEN r.id_number = '' THEN ''
                            WHEN CAST(substr(r.id_number, 17, 1) AS integer) % 2 = 1 THEN 'M' ELSE 'F' END AS sex,
                       CASE WHEN r.id_number <> '' THEN to_date(substr(r.id_number, 7, 8), 'YYYYMMDD') END
                         AS birth_date,
                       r.area, r.phone, {relation} AS relation
                FROM hw_raw r JOIN hw_names k ON k.name = r.name""")
            cursor.execute("""
                INSERT INTO registry_person (id, id_number, no_id_reason, other_document, name, name_pinyin,
                    name_initials, sex, birth_date, area_id, phone, status, death_date, created_at, updated_at)
                SELECT id, id_number, no_id_reason, '', name, pinyin, initials, sex, birth_date, area, phone,
                       'active', NULL, now(), now() FROM hw_p""")
            log = """INSERT INTO audit_changelog (time, user_id, request_id, source, model, object_id, object_repr,
                                                  action, before, after, reason)
                     SELECT now(), %s, 'bench', 'import', %s, id::text, {label}, 'create', NULL, {after}, ''
                     FROM {table}"""
            cursor.execute(log.format(label="substr(name, 1, 200)", table="hw_p", after="""jsonb_build_object(
                'id', id, 'id_number', id_number, 'no_id_reason', no_id_reason, 'other_document', '', 'name', name,
                'name_pinyin', pinyin, 'name_initials', initials, 'sex', sex,
                'birth_date', to_char(birth_date, 'YYYY-MM-DD'), 'area_id', area, 'phone', phone,
                'status', 'active', 'death_date', NULL, 'created_at', now(), 'updated_at', now())"""),
                [user.pk, "registry.person"])
            cursor.execute(f"""
                CREATE TEMP TABLE hw_h ON COMMIT DROP AS
                SELECT nextval(pg_get_serial_sequence('registry_household', 'id')) AS id, h.ref, h.name, h.area,
                       {hukou} AS hukou_type, h.address
                FROM hw_raw h WHERE h.relation = '户主'""")
            cursor.execute("""
                INSERT INTO registry_household (id, area_id, hukou_type, address, status, created_at, updated_at)
                SELECT id, area, hukou_type, address, 'active', now(), now() FROM hw_h""")
            cursor.execute(log.format(label="name || '户（' || id || '）'", table="hw_h", after="""jsonb_build_object(
                'id', id, 'area_id', area, 'hukou_type', hukou_type, 'address', address, 'status', 'active',
                'created_at', now(), 'updated_at', now())"""), [user.pk, "registry.household"])
            cursor.execute("""
                CREATE TEMP TABLE hw_m ON COMMIT DROP AS
                SELECT nextval(pg_get_serial_sequence('registry_householdmember', 'id')) AS id, h.id AS household_id,
                       p.id AS person_id, p.relation, p.area, p.name
                FROM hw_p p JOIN hw_h h ON h.ref = p.ref""")
            cursor.execute("""
                INSERT INTO registry_householdmember (id, household_id, person_id, relation, area_id, joined_on,
                                                      left_on, is_active)
                SELECT id, household_id, person_id, relation, area, current_date, NULL, TRUE FROM hw_m""")
            cursor.execute(log.format(label=f"name || ' · ' || CASE relation {relation_label} END", table="hw_m",
                                      after="""jsonb_build_object(
                'id', id, 'household_id', household_id, 'person_id', person_id, 'relation', relation,
                'area_id', area, 'joined_on', to_char(current_date, 'YYYY-MM-DD'), 'left_on', NULL,
                'is_active', TRUE)"""), [user.pk, "registry.householdmember"])
            cursor.execute("""
                INSERT INTO audit_domainevent (time, user_id, type, person_id, household_id, message, params)
                SELECT now(), %s, 'household_imported', NULL, household_id,
                       '导入新建家庭（' || n || '人，手写 SQL）', jsonb_build_object('members', n)
                FROM (SELECT household_id, COUNT(*) AS n FROM hw_m GROUP BY household_id) m""", [user.pk])
            cursor.execute("SELECT COUNT(*) FROM hw_p")
            written = cursor.fetchone()[0]
        seconds = time.perf_counter() - started
    finally:
        removed = _remove_rows_above(marks)
    assert written == rows, (written, rows)
    return {"seconds": round(seconds, 2), "rows_per_s": round(rows / seconds), "cleanup_rows_removed": removed,
            "how": "COPY 到临时表 + 拼音（Python，每个不同姓名一次）+ 每表一条 INSERT … SELECT（人员、家庭、成员、"
                   "三类变更记录、每户一条事件），一个事务，不做任何校验"}
