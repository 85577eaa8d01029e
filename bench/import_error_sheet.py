"""Memory of the import error sheet (错误清单) writers: the streamed CSV and XLSX against the whole-file ones.

The rows come from a generator (as `imports.pipeline.sheet_pages` yields keyset pages of staged rows), so what
is measured is the writer alone: the peak of Python allocations (tracemalloc) while the whole sheet is produced
and consumed piece by piece, as a StreamingHttpResponse consumes it. No database is touched.

    DEBUG=1 .venv/bin/python bench/import_error_sheet.py --rows 200000 [--out results.json]
"""

import argparse
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADERS = ["户编号", "姓名", "身份证号", "无证原因", "与户主关系", "村社区代码", "户籍类型", "联系电话", "住址",
           "错误说明"]


def rows(count: int):
    for n in range(count):
        yield [f"H{n:07d}", f"居民{n}", f"50010619800101{n % 10000:04d}", "", "户主", "500106001001", "城镇",
               f"138{n:08d}", f"沙坪坝区测试路{n}号", "身份证号校验位不正确" if n % 2 else ""]


def measure(name: str, produce) -> dict:
    tracemalloc.start()
    started, size, pieces = time.perf_counter(), 0, 0
    result = produce()
    for piece in ([result] if isinstance(result, bytes) else result):
        size += len(piece)
        pieces += 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"writer": name, "seconds": round(time.perf_counter() - started, 2), "bytes": size, "pieces": pieces,
            "peak_python_mb": round(peak / 2**20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--out", help="write the figures as JSON here")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")
    import django

    django.setup()
    from imports import sheets

    print(f"$ DEBUG=1 .venv/bin/python bench/import_error_sheet.py --rows {args.rows}", flush=True)
    print(f"load: {Path('/proc/loadavg').read_text().strip()}", flush=True)
    n = args.rows
    results = [
        measure("csv streamed", lambda: sheets.error_sheet_csv_chunks(HEADERS, rows(n))),
        measure("csv whole (before)", lambda: sheets.error_sheet_csv(HEADERS, rows(n))),
        measure("xlsx streamed", lambda: sheets.error_sheet_xlsx_chunks(HEADERS, rows(n))),
        measure("xlsx whole (before)", lambda: sheets.error_sheet_xlsx(HEADERS, rows(n))),
    ]
    for r in results:
        print(f"{r['writer']:<22} rows={n} {r['seconds']:>7}s  {r['bytes'] / 2**20:8.1f} MB out in "
              f"{r['pieces']} pieces  peak Python memory {r['peak_python_mb']} MB", flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps({"rows": n, "results": results}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
