"""The replica router's decisions (minzheng/db_router.py), on any database: with no replica configured everything
is "default"; with one, only the reads inside `reading_from_replica()` go to it — not the sign-in state, not
after the block wrote (ORM or raw SQL), not inside a transaction on the primary. The real replica is exercised in
tests/ops/test_replica.py (PostgreSQL)."""

import pytest
from django.db import connection, transaction

from accounts.models import User
from audit.models import AccessLog
from minzheng import db_router
from minzheng.db_router import PrimaryReplicaRouter, read_alias, reading_from_replica, replica_reads
from payments.models import PaymentLine

router = PrimaryReplicaRouter()


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)


def test_without_a_replica_everything_reads_from_the_primary():
    assert not db_router.replica_configured()
    with reading_from_replica():
        assert read_alias() == "default" and router.db_for_read(PaymentLine) == "default"


def test_reads_go_to_the_replica_only_inside_a_block(with_replica):
    assert router.db_for_read(PaymentLine) == "default"
    with reading_from_replica():
        assert router.db_for_read(PaymentLine) == "replica"
        with reading_from_replica():  # nested: still the replica
            assert router.db_for_read(PaymentLine) == "replica"
        # the sign-in state is always the primary's
        assert router.db_for_read(User) == "default"
    assert router.db_for_read(PaymentLine) == "default"


def test_writes_always_go_to_the_primary_and_reads_follow_them(with_replica):
    with reading_from_replica():
        assert router.db_for_write(PaymentLine) == "default"
        assert router.db_for_read(PaymentLine) == "default"  # read-after-write: the primary from now on
    with reading_from_replica():
        assert router.db_for_read(PaymentLine) == "replica"  # a new block starts clean


def test_a_view_marked_for_the_replica_reads_there(with_replica):
    seen = []

    @replica_reads
    def view():
        seen.append(router.db_for_read(PaymentLine))

    view()
    assert seen == ["replica"] and router.db_for_read(PaymentLine) == "default"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transaction_on_the_primary_reads_the_primary(with_replica):
    with reading_from_replica():
        assert not connection.in_atomic_block
        with transaction.atomic():
            assert router.db_for_read(PaymentLine) == "default"


def test_statements_that_write_are_recognised():
    assert db_router._is_write("INSERT INTO t SELECT 1")
    assert db_router._is_write("  update t set x = 1")
    assert db_router._is_write("WITH moved AS (DELETE FROM t RETURNING *) INSERT INTO u SELECT * FROM moved")
    assert not db_router._is_write("SELECT count(*) FROM payments_paymentline")
    assert not db_router._is_write("WITH x AS (SELECT 1) SELECT * FROM x")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_raw_sql_writing_on_the_primary_turns_the_block_to_the_primary(with_replica, personas):
    with reading_from_replica():
        assert router.db_for_read(PaymentLine) == "replica"
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_accesslog SET request_id = request_id WHERE 1 = 0")
        assert router.db_for_read(PaymentLine) == "default"
    with reading_from_replica():
        AccessLog.objects.create(user=personas["admin"], kind=AccessLog.Kind.EXPORT)
        assert router.db_for_read(PaymentLine) == "default"


def test_the_replica_is_never_migrated():
    assert router.allow_migrate("default", "payments") is True
    assert router.allow_migrate("replica", "payments") is False
