"""The embedded SQLite default under simultaneous clicks: ten requests that each read, then write, in one
transaction give one success and nine refusals — never "database is locked" (a 500)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Ten threads, each its own connection, released together: "open this month's cycle unless it exists".
SCRIPT = """
import json, threading, time
import django
django.setup()
from django.db import OperationalError, connection, transaction

with connection.cursor() as c:
    c.execute("CREATE TABLE cycle (month text)")
connection.close()
start, outcomes = threading.Barrier(10), []

def click():
    try:
        start.wait()
        with transaction.atomic(), connection.cursor() as c:
            c.execute("SELECT count(*) FROM cycle WHERE month = '2026-12'")
            exists = c.fetchone()[0]
            time.sleep(0.05)  # the service's own work between the check and the write
            if exists:
                outcomes.append("refused")
            else:
                c.execute("INSERT INTO cycle (month) VALUES ('2026-12')")
                outcomes.append("opened")
    except OperationalError as exc:
        outcomes.append(str(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=click) for _ in range(10)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps(sorted(outcomes)))
"""


def test_ten_simultaneous_writes_queue_instead_of_failing(tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "DEBUG": "1",
           "DJANGO_SETTINGS_MODULE": "minzheng.settings", "DATABASE_URL": f"sqlite:///{tmp_path / 'clicks.sqlite3'}"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    outcomes = done.stdout.strip().splitlines()[-1]
    assert outcomes == '["opened", "refused", "refused", "refused", "refused", "refused", "refused", "refused", ' \
                       '"refused", "refused"]'
