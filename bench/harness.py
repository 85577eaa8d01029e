"""What the payments benchmarks share (基准测试框架): a benchmark database of their own, and a child process per
database that runs the measurement inside Django and hands back one JSON line.

Each script is both parent and child: the parent makes a fresh database (own name, so a benchmark never drops a
database someone else uses on a shared server), prints the exact command, and starts itself with `--child`; the
child calls `django.setup()`, measures and prints `RESULT {json}`.
"""

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

# Production settings over plain HTTP: DEBUG off needs a SECRET_KEY, and the test client speaks HTTP, so the
# HTTPS redirect is loosened explicitly (minzheng/settings.py: secure by default).
BENCH_SETTINGS = {"SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-key-not-secret-" + "x" * 40,
                  "SECURE_SSL_REDIRECT": "0"}

ROOT = Path(__file__).resolve().parent.parent


class BenchDatabase:
    """A PostgreSQL database `name` or the SQLite file /tmp/<name>.sqlite3, made fresh for each run."""

    def __init__(self, name: str):
        self.name = name
        self.sqlite_path = Path(f"/tmp/{name}.sqlite3")

    def url(self, db: str) -> str:
        return f"postgres://root@127.0.0.1:5432/{self.name}" if db == "postgres" else f"sqlite:///{self.sqlite_path}"

    def fresh(self, db: str) -> None:
        if db == "postgres":
            subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "root", self.name], check=True)
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", self.name], check=True)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.sqlite_path}{suffix}").unlink(missing_ok=True)

    def drop(self, db: str) -> None:
        if db == "postgres":
            subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "root", self.name], check=True)
        else:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.sqlite_path}{suffix}").unlink(missing_ok=True)

    def run_child(self, db: str, script: str, argv: list[str]) -> dict:
        """Fresh database, then `script --child argv` against it; returns the child's RESULT. The database is
        dropped afterwards, failed or not: a benchmark leaves nothing behind on a shared server."""
        self.fresh(db)
        env = {**os.environ, "DATABASE_URL": self.url(db), "DEBUG": "0", **BENCH_SETTINGS,
               "DJANGO_SETTINGS_MODULE": "minzheng.settings"}
        env.pop("CELERY_BROKER_URL", None)  # jobs run in-process: the benchmark times the work, not a queue
        command = [sys.executable, str(Path(script).resolve()), "--child", *argv]
        print(f"$ DATABASE_URL={env['DATABASE_URL']} DEBUG=0 {' '.join(command)}", flush=True)
        try:
            out = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        finally:
            self.drop(db)
        if out.returncode != 0:
            print(out.stdout[-3000:], out.stderr[-3000:], file=sys.stderr)
            raise SystemExit(out.returncode)
        line = next(row for row in out.stdout.splitlines() if row.startswith("RESULT "))
        return json.loads(line[len("RESULT "):])


def child_run(measure: Callable[[], dict]) -> None:
    """In the child: set Django up, measure, print the RESULT line."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")
    import django

    django.setup()
    print("RESULT " + json.dumps(measure(), ensure_ascii=False, default=str), flush=True)


def databases(choice: str) -> list[str]:
    return ["postgres", "sqlite"] if choice == "both" else [choice]


def enrolment_args(doc: str, *, enrolments: int, db: str, repeat: int | None = None,
                   extra: list[tuple[str, dict]] = ()) -> argparse.Namespace:
    """The options every enrolment-sized benchmark takes: --enrolments, --db, --repeat (when it repeats), a
    script's own `extra` options (name, argparse keywords), and the hidden --child of the process that measures."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--enrolments", type=int, default=enrolments)
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default=db)
    if repeat is not None:
        parser.add_argument("--repeat", type=int, default=repeat)
    for name, options in extra:
        parser.add_argument(name, **options)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def communities_numbered(cursor) -> int:
    """A temporary table `comm(code, k)` numbering the communities 0…n-1, so generated rows spread over them by
    `k = i % n`; returns n."""
    cursor.execute("CREATE TEMPORARY TABLE comm AS SELECT code, ROW_NUMBER() OVER (ORDER BY code) - 1 AS k "
                   "FROM areas_area WHERE level = 'community'")
    cursor.execute("CREATE INDEX comm_k ON comm (k)")
    cursor.execute("SELECT COUNT(*) FROM comm")
    return cursor.fetchone()[0]
