"""Report pages on the demo (报表页面计时): every report and overview page a district officer opens, timed
through the whole Django stack (middleware, permissions, queries, template), on a demo database made beforehand.

    createdb -h 127.0.0.1 -U root bench_sp_demo
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_sp_demo DEBUG=1 .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_sp_demo DEBUG=1 .venv/bin/python manage.py load_demo \\
        --persons 20000
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_sp_demo .venv/bin/python bench/report_pages.py [--repeat 3]
    dropdb -h 127.0.0.1 -U root bench_sp_demo

It only reads (the pages are GETs; the access log of a page that writes one is the only write). It logs in as the
demo's district officer (`district_officer`), opens each page once to warm the caches, then `--repeat` times,
and prints the best and the median in milliseconds, marking those over `--limit` (300 ms, issue 11), with the
machine's load next to the figures (a shared server: compare pages of the same run, not runs).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    ("首页", "/"),
    ("人员列表", "/persons/"),
    ("家庭列表", "/households/"),
    ("驾驶舱", "/cockpit/"),
    ("统计", "/cockpit/statistics/"),
    ("发放批次", "/payments/"),
    ("报表：发放金额", "/payments/reports/amounts/"),
    ("报表：享受对象分类", "/payments/reports/recipients/"),
    ("报表：按时发放率", "/payments/reports/ontime/"),
    ("报表：异常", "/payments/reports/exceptions/"),
    ("监测预警", "/monitoring/"),
    ("部门数据", "/monitoring/feeds/"),
    ("人工匹配", "/monitoring/reviews/"),
    ("待办", "/tasks/"),
    ("救助工作台", "/assistance/"),
    ("超期件", "/assistance/overdue/"),
    ("儿童", "/children/"),
    ("儿童服务网络", "/children/network/"),
    ("残疾人两项补贴覆盖", "/disability/coverage/"),
    ("探访关爱", "/carevisits/"),
    ("未探访到", "/carevisits/not-reached/"),
    ("能力评估", "/eldercare/assessments/"),
    ("调整待遇", "/programs/rerates/"),
    ("导入批次", "/imports/"),
]


def measure(repeat: int, limit_ms: float, only: str | None, top: int = 0) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User

    setup_test_environment()  # the test client's host is allowed; nothing else of the test runner
    client = Client()
    client.force_login(User.objects.get(username="district_officer"))
    rows = []
    for label, url in PAGES:
        if only and only not in url:
            continue
        queries: list[float] = []
        statements: list[tuple[float, str]] = []

        def timed(execute, sql, params, many, context, queries=queries, statements=statements):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries.append(time.perf_counter() - started)
                statements.append((time.perf_counter() - started, sql))

        with connection.execute_wrapper(timed):
            first = client.get(url)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        rows.append({"page": label, "url": url, "status": response.status_code, "first_status": first.status_code,
                     "queries": len(queries), "sql_ms": round(sum(queries) * 1000, 1),
                     "best_ms": round(min(times), 1), "median_ms": round(statistics.median(times), 1),
                     "slow": min(times) > limit_ms,
                     "slowest_sql": [(round(t * 1000, 1), q[:300]) for t, q in sorted(statements, reverse=True)[:top]]})
    return {"load": os.getloadavg(), "repeat": repeat, "limit_ms": limit_ms, "pages": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=float, default=300.0, help="milliseconds a page may take (issue 11: 300)")
    parser.add_argument("--only", help="only the pages whose URL contains this")
    parser.add_argument("--top", type=int, default=0, help="print each page's slowest statements")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-key-not-secret-" + "x" * 40)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    import django

    django.setup()
    print(f"$ DATABASE_URL={os.environ.get('DATABASE_URL', '')} {' '.join([sys.executable, *sys.argv])}", flush=True)
    result = measure(args.repeat, args.limit, args.only, args.top)
    print(f"load average {result['load'][0]:.2f} {result['load'][1]:.2f} {result['load'][2]:.2f}; "
          f"best / median of {args.repeat} (ms), * over {args.limit:.0f} ms; queries and their SQL ms (first run)")
    for row in result["pages"]:
        mark = "*" if row["slow"] else " "
        print(f"{mark} {row['best_ms']:8.1f} {row['median_ms']:8.1f} {row['queries']:5d} {row['sql_ms']:8.1f}  "
              f"{row['status']}  {row['page']}  {row['url']}")
        for ms, statement in row["slowest_sql"]:
            print(f"      {ms:8.1f} ms  {statement}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
