"""Person search through indexes (人员检索): name fragments (pg_trgm / FTS5 trigram), pinyin and initials, the last
digits of an ID number — each within the user's area, each answered by an index rather than a scan."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from registry import search_index
from registry.models import Person
from registry.selectors import id_suffix_filter, name_q, person_search
from registry.services import person_create, person_update
from tests.conftest import make_id


@pytest.fixture
def people(personas, areas):
    """Near-misses on purpose: the same names in town A and town B, a compound surname, a name inside a name."""
    officer = personas["district_officer"]

    def make(name, area, birth, seq, **kwargs):
        return person_create(acting_user=officer, name=name, area_code=areas[area],
                             id_number=make_id("500106", birth, seq, **kwargs))

    return {
        "a_wangjianguo": make("王建国", "community_a", "19600101", 11),
        "a_ouyangjianguo": make("欧阳建国", "community_a2", "19610202", 12),
        "a_wangwei": make("王伟", "community_a", "19700303", 13),
        "a_liwangwei": make("李王伟明", "community_a", "19710404", 14),
        "b_wangjianguo": make("王建国", "community_b", "19620505", 15),
        "b_wangwei": make("王伟", "community_b", "19720606", 16),
    }


def found(user, query) -> set[int]:
    return set(person_search(user=user, query=query).values_list("pk", flat=True))


def pks(people, *keys) -> set[int]:
    return {people[key].pk for key in keys}


@pytest.mark.django_db
@pytest.mark.parametrize("query, town_a, town_b", [
    # three characters or more: anywhere in the name
    ("王建国", ["a_wangjianguo"], ["b_wangjianguo"]),
    ("阳建国", ["a_ouyangjianguo"], []),
    ("王伟明", ["a_liwangwei"], []),
    # two: the start (surname + given, a whole two-character name) or the end (the given name)
    ("建国", ["a_wangjianguo", "a_ouyangjianguo"], ["b_wangjianguo"]),
    ("王伟", ["a_wangwei"], ["b_wangwei"]),
    ("欧阳", ["a_ouyangjianguo"], []),
    # one: the surname
    ("王", ["a_wangjianguo", "a_wangwei"], ["b_wangjianguo", "b_wangwei"]),
    # full pinyin and initials, any case
    ("wangjianguo", ["a_wangjianguo"], ["b_wangjianguo"]),
    ("WangWei", ["a_wangwei"], ["b_wangwei"]),
    ("wjg", ["a_wangjianguo"], ["b_wangjianguo"]),
    ("oyjg", ["a_ouyangjianguo"], []),
])
def test_name_search_finds_the_right_people_within_the_area(personas, people, query, town_a, town_b):
    assert found(personas["town_officer"], query) == pks(people, *town_a)
    assert found(personas["outsider"], query) == pks(people, *town_b)
    assert found(personas["district_officer"], query) == pks(people, *town_a, *town_b)


@pytest.mark.django_db
def test_two_characters_in_the_middle_of_a_longer_name_are_not_a_match(personas, people):
    # the documented rule: two characters match at the start or the end (王伟 sits inside 李王伟明)
    assert people["a_liwangwei"].pk not in found(personas["district_officer"], "王伟")


@pytest.mark.django_db
def test_a_renamed_person_is_found_by_the_new_name_only(personas, people):
    person = people["a_wangjianguo"]
    person_update(acting_user=personas["district_officer"], person=person, name="王建军")
    officer = personas["town_officer"]
    assert found(officer, "王建军") == {person.pk}
    assert person.pk not in found(officer, "王建国")
    assert person.pk not in found(officer, "建国")


@pytest.mark.django_db
def test_quotes_and_search_syntax_in_a_query_are_literal(personas, people):
    for query in ['王"建国', "建国 OR 王", "王*", '""', "NEAR(王 建)"]:
        assert found(personas["district_officer"], query) == set()


@pytest.mark.django_db
def test_id_number_last_four_and_six_digits_within_the_area(personas, people):
    wang = people["a_wangjianguo"]
    officer = personas["town_officer"]
    assert found(officer, wang.id_number[-4:]) == {wang.pk}
    assert found(officer, wang.id_number[-6:]) == {wang.pk}
    assert found(officer, wang.id_number[-5:]) == {wang.pk}
    other = people["b_wangjianguo"]
    assert found(officer, other.id_number[-6:]) == set()
    assert found(personas["outsider"], other.id_number[-6:]) == {other.pk}
    # the last digits, not the first: every number here starts 500106
    assert found(personas["district_officer"], "5001") == set()


@pytest.mark.django_db
def test_id_number_suffix_with_check_digit_x(personas, areas):
    number = next(n for n in (make_id("500106", "19800101", seq) for seq in range(200)) if n.endswith("X"))
    person = person_create(acting_user=personas["district_officer"], name="赵六", area_code=areas["community_a"],
                           id_number=number)
    assert found(personas["town_officer"], number[-4:].lower()) == {person.pk}


@pytest.mark.django_db
def test_id_number_leading_digits_and_full_number_still_work(personas, people):
    wang = people["a_wangjianguo"]
    assert found(personas["town_officer"], wang.id_number[:10]) == {wang.pk}
    assert found(personas["town_officer"], wang.id_number) == {wang.pk}


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A few rows make a scan the cheapest plan; with scans and plain index scans off, what is left is a
            # bitmap scan of an index whose condition is the search itself (a GIN index allows nothing else).
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.django_db
def test_searches_are_answered_by_indexes(people):
    suffix = _plan(id_suffix_filter(Person.objects.all(), people["a_wangwei"].id_number[-6:]))
    assert "person_id_reversed" in suffix
    expected = search_index.PG_INDEX if connection.vendor == "postgresql" else search_index.FTS_TABLE
    for query in ("王建国", "建国"):
        plan = _plan(Person.objects.filter(name_q(query)))
        assert expected in plan and "Seq Scan" not in plan and "SCAN registry_person\n" not in plan + "\n"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the grants the migrations seed survive
def test_migration_indexes_people_registered_before_it(personas, people):
    executor = MigrationExecutor(connection)
    executor.migrate([("registry", "0002_income_categories")])
    try:
        # registered while the search indexes did not exist (as on a database upgraded from an older release),
        # through the model as it was then (later migrations add columns)
        then = executor.loader.project_state(("registry", "0002_income_categories")).apps
        earlier = then.get_model("registry", "Person").objects.create(
            name="钱多多", area_id=people["a_wangwei"].area_id, id_number=make_id("500106", "19900909", 21))
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    officer = personas["town_officer"]
    assert found(officer, "钱多多") == {earlier.pk}
    assert found(officer, "多多") == {earlier.pk}
    assert found(officer, earlier.id_number[-4:]) == {earlier.pk}
    assert found(officer, "王建国") == {people["a_wangjianguo"].pk}
    if connection.vendor == "postgresql":
        # the migration analysed the table, so the planner has the reversed numbers' statistics from the start
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'person_id_reversed'")
            assert cursor.fetchone()[0] == 1


@pytest.mark.django_db
def test_sqlite_triggers_dropped_by_a_table_rebuild_are_put_back_after_migrate(personas, people, areas):
    if connection.vendor != "sqlite":
        assert search_index.ensure(connection) is False  # PostgreSQL: a GIN index survives ALTER TABLE
        return
    assert search_index.ensure(connection) is False  # intact
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER registry_person_name_fts_ai")
    missed = person_create(acting_user=personas["district_officer"], name="孙悟空", area_code=areas["community_a"],
                           id_number=make_id("500106", "19880808", 31))
    assert found(personas["town_officer"], "孙悟空") == set()
    assert search_index.ensure(connection) is True
    assert found(personas["town_officer"], "孙悟空") == {missed.pk}
    assert found(personas["town_officer"], "王建国") == {people["a_wangjianguo"].pk}


@pytest.mark.django_db
def test_bulk_loaded_people_are_searchable_and_the_insert_trigger_is_back(areas):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", persons=60, cases=0, allow_non_debug=True, stdout=StringIO())
    from bench.measure import officer

    loaded = Person.objects.exclude(id_number=None).order_by("-pk").first()
    assert loaded.pk in found(officer(), loaded.name)
    assert loaded.pk in found(officer(), loaded.id_number[-6:])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'registry_person'")
            assert {row[0] for row in cursor.fetchall()} == set(search_index.TRIGGERS)
