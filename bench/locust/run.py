"""Load test runner (负载测试): N officers over gunicorn on PostgreSQL, p95 per page and errors.

    .venv/bin/python bench/locust/run.py --persons 200000 --users 50 --duration 5m

Builds a demo database of its own (migrate + load_demo --persons N; `--reuse` keeps one already built under that
name and only migrates it), starts gunicorn with deploy/gunicorn.conf.py in production settings over plain HTTP,
picks for each demo account the cases and residents it may open, runs Locust headless (bench/locust/locustfile.py)
and prints, per page: requests, errors, median, p95, p99 (ms), and the machine's load before and after. Stops
gunicorn and drops the database at the end (unless --keep-db). --out writes the figures as JSON.
"""

import argparse
import csv
import json
import math
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.harness import BENCH_SETTINGS  # noqa: E402

PYTHON = ROOT / ".venv/bin/python"
PAGES = ["首页工作台", "待办（社会救助）", "案件页", "人员检索"]
TARGET_P95_MS = 150

SAMPLER = """
import json, random, sys
import django
django.setup()
from accounts.models import User
from assistance.selectors import applications_visible
from demo.data import DEMO_PASSWORD
from registry.selectors import persons_visible
rng = random.Random(20261207)
accounts = []
for username in ["district_officer", "town_officer_xlk", "town_reviewer_xlk", "town_officer_spb",
                 "town_reviewer_spb", "community_worker", "district_approver"]:
    user = User.objects.filter(username=username).first()
    if user is None:
        continue
    cases = list(applications_visible(user).order_by("-id").values_list("id", flat=True)[:2000])
    names = list(persons_visible(user).order_by("-id").values_list("name", flat=True)[:5000])
    accounts.append({"username": username, "cases": rng.sample(cases, min(200, len(cases))),
                     "names": rng.sample(names, min(300, len(names)))})
print(json.dumps({"password": DEMO_PASSWORD, "accounts": accounts}, ensure_ascii=False))
"""


def sh(command: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    shown = [part if len(part) < 200 else "<SAMPLER in bench/locust/run.py>" for part in command]
    print("$ " + shlex.join(shown), flush=True)
    return subprocess.run(command, env=env, cwd=ROOT, check=True, **kw)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def database_exists(name: str) -> bool:
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "root", "-d", "postgres", "-Atc",
                          f"SELECT 1 FROM pg_database WHERE datname = '{name}'"], capture_output=True, text=True)
    return out.stdout.strip() == "1"


def build(args, env: dict) -> None:
    reuse = args.reuse and database_exists(args.db_name)
    if not reuse:
        subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "root", args.db_name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", args.db_name], check=True)
    sh([str(PYTHON), "manage.py", "migrate", "--noinput", "-v", "0"], env)  # a reused database: new migrations
    if not reuse:
        sh([str(PYTHON), "manage.py", "load_demo", "--persons", str(args.persons), "--allow-non-debug"],
           {**env, "DEBUG": "1"}, stdout=subprocess.DEVNULL)
    sh([str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v", "0"], env)


def start_gunicorn(args, env: dict, log: Path) -> subprocess.Popen:
    command = [str(ROOT / ".venv/bin/gunicorn"), "minzheng.wsgi:application", "--config", "deploy/gunicorn.conf.py",
               "--workers", str(args.workers), "--bind", f"127.0.0.1:{args.port}"]
    print("$ " + shlex.join(command) + f"  > {log}", flush=True)
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    # Each worker loads Django on its first request (seconds on a busy machine): wait for every worker to have
    # answered once, so the measurement does not start with the start-up.
    deadline, answered = time.monotonic() + 300, 0
    while time.monotonic() < deadline and answered < 2 * args.workers:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=60) as response:
                answered += response.status == 200
        except OSError:
            time.sleep(1)
    if answered < 2 * args.workers:
        os.killpg(process.pid, signal.SIGTERM)
        raise SystemExit(f"gunicorn did not answer /healthz within 300 s; see {log}")
    return process


def figures(stats_csv: Path) -> list[dict]:
    rows = []
    with stats_csv.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append({"page": row["Name"], "requests": int(row["Request Count"]),
                         "errors": int(row["Failure Count"]), "median_ms": float(row["50%"] or 0),
                         "p95_ms": float(row["95%"] or 0), "p99_ms": float(row["99%"] or 0),
                         "rps": round(float(row["Requests/s"] or 0), 2)})
    return rows


def server_times(log: Path) -> dict[str, dict]:
    """Per page, the time gunicorn itself spent (its access log, %(M)sms): the client's figure less the wait
    for a free worker."""
    pages = {"/": "首页工作台", "/assistance/": "待办（社会救助）", "/persons/": "人员检索"}
    times: dict[str, list[int]] = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        match = re.search(r'"GET (\S+)" (\d+) \S+ (\d+)ms', line)
        if match:
            path = match.group(1)
            page = "案件页" if path.startswith("/assistance/cases/") else pages.get(path)
            if page:
                times.setdefault(page, []).append(int(match.group(3)))
    return {page: {"n": len(v), "median_ms": sorted(v)[len(v) // 2],
                   "p95_ms": sorted(v)[max(0, math.ceil(0.95 * len(v)) - 1)]} for page, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--duration", default="5m", help="Locust --run-time, e.g. 5m, 90s")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db-name", default="bench_locust")
    parser.add_argument("--reuse", action="store_true", help="keep a database already built under --db-name")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()

    env = {**os.environ, **BENCH_SETTINGS, "DATABASE_URL": f"postgres://root@127.0.0.1:5432/{args.db_name}",
           "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "minzheng.settings", "ALLOWED_HOSTS": "127.0.0.1",
           # plain HTTP on loopback: the session and CSRF cookies must travel without TLS
           "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0",
           "DB_CONN_MAX_AGE": "60"}
    env.pop("CELERY_BROKER_URL", None)
    env.pop("DATABASE_REPLICA_URL", None)
    work = Path(tempfile.mkdtemp(prefix="minzheng-locust-"))
    gunicorn = None
    try:
        started = time.monotonic()
        build(args, env)
        print(f"demo database ready in {time.monotonic() - started:.0f} s", flush=True)
        targets = work / "targets.json"
        targets.write_text(sh([str(PYTHON), "-c", SAMPLER], env, capture_output=True, text=True).stdout,
                           encoding="utf-8")
        gunicorn = start_gunicorn(args, env, work / "gunicorn.log")
        load_before = uptime()
        command = [str(ROOT / ".venv/bin/locust"), "-f", "bench/locust/locustfile.py", "--headless",
                   "-u", str(args.users), "-r", str(args.spawn_rate), "-t", args.duration,
                   "--host", f"http://127.0.0.1:{args.port}", "--csv", str(work / "stats"), "--only-summary",
                   "--loglevel", "WARNING"]
        sh(command, {**env, "MINZHENG_LOCUST_TARGETS": str(targets)}, stdout=subprocess.DEVNULL,
           stderr=(work / "locust.log").open("w"))
        load_after = uptime()
        rows = figures(work / "stats_stats.csv")
        server = server_times(work / "gunicorn.log")
    finally:
        if gunicorn is not None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(timeout=60)
        if not args.keep_db:
            subprocess.run(["dropdb", "--if-exists", "--force", "-h", "127.0.0.1", "-U", "root", args.db_name])
    report = {"persons": args.persons, "users": args.users, "duration": args.duration,
              "gunicorn_workers": args.workers, "load_before": load_before, "load_after": load_after,
              "command": shlex.join([".venv/bin/python", "bench/locust/run.py", *sys.argv[1:]]), "pages": rows,
              "server": server}
    print(f"\n$ {report['command']}\nload before: {load_before}\nload after:  {load_after}")
    print(f"{'page':<16}{'requests':>10}{'errors':>8}{'median':>9}{'p95':>8}{'p99':>8}{'req/s':>8}")
    for row in rows:
        mark = "" if row["page"] not in PAGES else ("  ok" if row["p95_ms"] < TARGET_P95_MS else "  > 150 ms")
        print(f"{row['page']:<16}{row['requests']:>10}{row['errors']:>8}{row['median_ms']:>9.0f}"
              f"{row['p95_ms']:>8.0f}{row['p99_ms']:>8.0f}{row['rps']:>8}{mark}")
    print("server time (gunicorn access log, without the wait for a free worker):")
    for page, row in server.items():
        print(f"  {page:<14}{row['n']:>8} requests  median {row['median_ms']} ms  p95 {row['p95_ms']} ms")
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"(locust and gunicorn logs in {work})")


if __name__ == "__main__":
    main()
