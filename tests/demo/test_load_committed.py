"""load_demo outside a test transaction, as `make run` runs it: on PostgreSQL the secondary indexes are dropped
for the load and rebuilt exactly, and VACUUM (ANALYZE) runs at the end."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from registry.models import HouseholdMember, Person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def index_definitions() -> list[str]:
    if connection.vendor != "postgresql":
        return [row[0] for row in connection.cursor().execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").fetchall()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname")
        return [row[0] for row in cursor.fetchall()]


def invalid_indexes() -> list[str]:
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid")
        return [row[0] for row in cursor.fetchall()]


def test_a_committed_load_keeps_every_index_and_all_the_data():
    before = index_definitions()
    assert any("person_id_number_unique" in d for d in before)
    call_command("load_demo", persons=300, cases=0, allow_non_debug=True, stdout=StringIO())
    assert index_definitions() == before
    assert invalid_indexes() == []  # a partitioned table's index rebuilt on the parent alone would be invalid
    assert Person.objects.count() == 300 == HouseholdMember.objects.count()
    # The unique index is back and enforced: the same number cannot be registered twice.
    number = Person.objects.exclude(id_number=None).values_list("id_number", flat=True).first()
    assert Person.objects.filter(id_number=number).count() == 1
    clone = Person.objects.get(id_number=number)
    clone.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
