"""The database's own time for the registry searches (检索的数据库执行时间), read-only, on a database built before.

    DATABASE_URL=postgres://root@127.0.0.1:5432/<db> DEBUG=0 .venv/bin/python bench/search_plans.py [--searches 200]

The same queries as bench/run.py's b) and b2) (same seed, same sampling), each run once through
`EXPLAIN (ANALYZE)` of the first page person_search builds for the district officer: the figure is PostgreSQL's
"Execution Time", without Python, Django or the network, so it says what the indexes do even on a machine that
other work keeps busy (where wall-clock figures of the whole call mostly measure waiting for a core). It also
counts which index each plan used. PostgreSQL only; nothing is written.
"""

import argparse
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261101)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")
    import random

    import django

    django.setup()
    from django.db import connection

    from bench import measure
    from registry.selectors import person_search

    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only (EXPLAIN ANALYZE)")
    user = measure.officer()
    rng = random.Random(args.seed)
    measure.sample_people(rng, 1000)  # bench/run.py's a) draws first: the same state of the generator as b)
    kinds = measure.search_queries(rng, args.searches)
    kinds["id_suffix"] = [n[-4:] if i % 2 else n[-6:]
                          for i, (_, n, *_) in enumerate(measure.sample_people(rng, args.searches))]
    result = {}
    for kind, queries in kinds.items():
        times, indexes = [], Counter()
        for query in queries:
            page = person_search(user=user, query=query).order_by("pk")[: measure.PAGE + 1]
            sql, params = page.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE) " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            times.append(float(re.search(r"Execution Time: ([0-9.]+) ms", plan).group(1)))
            indexes.update(set(re.findall(r"(?:Index Scan|Index Only Scan|Bitmap Index Scan) (?:using|on) (\w+)",
                                          plan)))
        result[kind] = {**measure.summary_ms(times), "indexes": dict(indexes.most_common()), "examples": queries[:3]}
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
