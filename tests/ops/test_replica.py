"""Read replica (只读副本): a primary and its streaming replica started with pg_basebackup (two throw-away clusters on
free ports, tests/ops/pg_pair.py), settings pointed at them; a payment line written on the primary shows in the
payments report read from the replica, and the connection that served the report is in recovery (the replica)."""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.ops.pg_pair import PrimaryReplica
from tests.payments.conftest import officer, roll  # noqa: F401 — fixtures
from tests.payments.test_reports import books  # noqa: F401 — fixture

ROOT = Path(settings.BASE_DIR)
# pg_dump reads committed data: a transactional test (serialized_rollback as every transactional test here).
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.skipif(connection.vendor != "postgresql", reason="streaming replication is PostgreSQL's; "
                                 "the SQLite run has no replica (the PostgreSQL run of the suite covers it)")]


def _source_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_reports_read_from_the_replica_and_writes_go_to_the_primary(books, officer):  # noqa: F811
    march_amount = Decimal("1234.56")
    with PrimaryReplica() as pair:
        with psycopg.connect(pair.url("primary"), autocommit=True) as admin:
            admin.execute("CREATE DATABASE minzheng")
        # The test database (migrated, with the books above) becomes the primary's database; the replica follows.
        dump = subprocess.run(["pg_dump", "--no-owner", "--no-privileges", _source_url()], capture_output=True,
                              check=True)
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", pair.url("primary", "minzheng")], input=dump.stdout,
                       capture_output=True, check=True)
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": pair.url("primary", "minzheng"),
               "DATABASE_REPLICA_URL": pair.url("replica", "minzheng"), "DJANGO_SETTINGS_MODULE": "minzheng.settings"}
        env.pop("CELERY_BROKER_URL", None)
        out = subprocess.run([sys.executable, str(ROOT / "tests/ops/replica_child.py"), str(march_amount)],
                             env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))[7:])
    # Outside a replica block reads stay on the primary; inside, they go to the replica.
    assert result["outside"] == "default" and result["inside"] == "replica"
    # The replica alias is a server in recovery (a standby), the default one the primary.
    assert result["in_recovery"] == {"default": False, "replica": True}
    # The report came from the replica: it read there, and read no payment line on the primary …
    assert result["replica_queries"] > 0 and result["payment_reads_on_primary"] == 0
    # … and it holds the line the child wrote on the primary a moment before (replicated).
    assert Decimal(result["march_amount"]) == march_amount
    assert result["report_tables"] >= 2
