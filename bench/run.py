"""Benchmark harness (基准测试): build a demo district database, then time the reads and the import on it.

    .venv/bin/python bench/run.py [--persons N] [--db sqlite|postgres|both] [--import-rows R] [--reuse]

For each database it (1) builds the demo district with `manage.py load_demo --persons N` into a dedicated
database (SQLite /tmp/bench.sqlite3, PostgreSQL bench_registry; `--reuse` keeps one that already holds N people,
migrating it first), then (2) runs the measurements in a child process pointed at it, and (3) drops the database
unless `--keep`:
  a) person lookup by ID number through registry.selectors.person_search (median, p95);
  b) name search (Chinese substring, pinyin prefix, initials), first page of 50 through person_search;
  b2) search by the last 4 or 6 digits of an ID number (尾号), next to the same search as a LIKE '%…' scan;
  c) the person list page GET /persons/ (first page, ?after= pages, ?q= searches) as the district officer;
  d) imports.services.import_file_run on a CSV of fresh people, next to hand-written SQL writing the same rows
     (persons, households, members, change log, events; PostgreSQL) and, for information only, the database's raw
     bulk path (COPY / executemany into a bare table) on the same file; every row written is removed afterwards;
  e) dynamic monitoring (`bench/monitoring.py`, its own fresh database `mon_bench_run`): department files of
     `--monitoring-records` rows (10 % about residents) → warnings, next to COPY of the same files, and the rule run
     next to one hand-written join (0 = not run). See docs/benchmarks-monitoring.md.
It prints a report and writes bench-results/report.md and bench-results/results.json (`--out` to choose the
folder); nothing else stays behind.
"""

import argparse
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Production settings over plain HTTP: DEBUG off needs a SECRET_KEY, and the test client speaks HTTP, so the
# HTTPS redirect is loosened explicitly (minzheng/settings.py: secure by default).
BENCH_SETTINGS = {"SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-key-not-secret-" + "x" * 40,
                  "SECURE_SSL_REDIRECT": "0"}

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
SQLITE_PATH = Path(os.environ.get("BENCH_SQLITE_PATH", "/tmp/bench.sqlite3"))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://root@127.0.0.1:5432/bench_registry")
DEFAULT_SEED = 20261101


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Minzheng 基准测试")
    parser.add_argument("--persons", type=int, default=20_000, help="演示区人数（全区规模：1500000）")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--lookups", type=int, default=1000, help="按身份证号查询次数")
    parser.add_argument("--searches", type=int, default=200, help="按姓名检索次数")
    parser.add_argument("--pages", type=int, default=100, help="人员列表页请求次数")
    parser.add_argument("--import-rows", type=int, default=100_000, help="导入文件行数（0 = 不测导入）")
    parser.add_argument("--reuse", action="store_true", help="基准库已有 N 人时不重建（先补齐迁移）")
    parser.add_argument("--keep", action="store_true", help="结束后保留基准库（供下次 --reuse）；默认删除")
    parser.add_argument("--monitoring-records", type=int, default=200_000, help="动态监测部门数据行数（0 = 不测）")
    parser.add_argument("--monitoring-persons", type=int, default=150_000, help="动态监测基准的登记人数")
    parser.add_argument("--monitoring-enrolments", type=int, default=30_000, help="动态监测基准的低保户数")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def database_url(db: str) -> str:
    return f"sqlite:///{SQLITE_PATH}" if db == "sqlite" else POSTGRES_URL


def child_env(db: str) -> dict[str, str]:
    # DEBUG off: no per-query log in memory, templates and middleware as in production.
    return {**os.environ, "DATABASE_URL": database_url(db), "DEBUG": "0", **BENCH_SETTINGS,
            "DJANGO_SETTINGS_MODULE": "minzheng.settings"}


def shown(db: str, argv: list[str]) -> str:
    """The command as a person would type it from the project directory."""
    env = f"DATABASE_URL={database_url(db)} DEBUG=0"
    args = [str(Path(a).relative_to(ROOT)) if a.startswith(str(ROOT)) else a for a in argv]
    return f"{env} {shlex.join(args)}"


def run(db: str, argv: list[str], log: list[str]) -> tuple[float, str]:
    log.append(shown(db, argv))
    print(f"$ {log[-1]}", flush=True)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=child_env(db), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"命令失败（退出码 {done.returncode}）：{log[-1]}")
    return seconds, done.stdout


def probe(db: str) -> int:
    """How many people the benchmark database holds (-1 when it does not exist or has no schema)."""
    if db == "sqlite" and not SQLITE_PATH.exists():
        return -1
    # `shell -c` may print other lines first (Django 5.2 announces its auto-imports), so the count is looked for
    # behind its own marker rather than taken as the whole output.
    code = "from registry.models import Person; print('PERSONS', Person.objects.count())"
    done = subprocess.run([str(PYTHON), "manage.py", "shell", "-c", code], cwd=ROOT, env=child_env(db),
                          capture_output=True, text=True)
    return persons_counted(done.stdout) if done.returncode == 0 else -1


def persons_counted(output: str) -> int:
    """The count printed by probe()'s `PERSONS <n>` line, or -1 when there is none."""
    found = re.search(r"^PERSONS (\d+)$", output, re.MULTILINE)
    return int(found.group(1)) if found else -1


def rebuild(db: str, args: argparse.Namespace, log: list[str]) -> dict:
    name = POSTGRES_URL.rsplit("/", 1)[1]
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        log.append(f"rm -f {SQLITE_PATH}*")
    else:
        for command in (["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", name],
                        ["createdb", "-h", "127.0.0.1", "-U", "root", name]):
            subprocess.run(command, check=True)
            log.append(shlex.join(command))
    migrate_s, _ = run(db, [str(PYTHON), "manage.py", "migrate", "--noinput", "-v", "0"], log)
    load_cmd = [str(PYTHON), "manage.py", "load_demo", "--persons", str(args.persons), "--seed", str(args.seed),
                "--allow-non-debug"]
    load_s, output = run(db, load_cmd, log)
    summary = next((line for line in output.splitlines() if line.startswith("已生成")), "")
    return {"migrate_s": round(migrate_s, 1), "load_s": round(load_s, 1), "load_summary": summary,
            "load_command": shown(db, load_cmd)}


def bench_one(db: str, args: argparse.Namespace) -> dict:
    log: list[str] = []
    try:
        held = probe(db) if args.reuse else -1
        if held == args.persons:
            # a database kept from an earlier run catches up with migrations added since (new indexes too)
            migrate_s, _ = run(db, [str(PYTHON), "manage.py", "migrate", "--noinput", "-v", "0"], log)
            build = {"reused": True, "persons_found": held, "migrate_s": round(migrate_s, 1)}
        else:
            build = rebuild(db, args, log)
        with tempfile.TemporaryDirectory(prefix="bench_run_") as scratch:
            out = Path(scratch) / "result.json"
            worker = [str(PYTHON), str(ROOT / "bench" / "run.py"), "--worker", "--db", db, "--json", str(out),
                      "--persons", str(args.persons), "--seed", str(args.seed), "--lookups", str(args.lookups),
                      "--searches", str(args.searches), "--pages", str(args.pages),
                      "--import-rows", str(args.import_rows)]
            seconds, _ = run(db, worker, log)
            result = json.loads(out.read_text())
    finally:
        if not args.keep:
            drop(db, log)
    if args.monitoring_records:
        result["monitoring"] = monitoring_run(db, args, log)
    return {"db": db, "build": build, "measure_s": round(seconds, 1), "commands": log, **result}


def drop(db: str, log: list[str]) -> None:
    """The benchmark database goes when the run ends (keep it with --keep, for a later --reuse)."""
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        log.append(f"rm -f {SQLITE_PATH}*")
    else:
        command = ["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", POSTGRES_URL.rsplit("/", 1)[1]]
        subprocess.run(command, check=True)
        log.append(shlex.join(command))


def monitoring_run(db: str, args: argparse.Namespace, log: list[str]) -> dict:
    """e) bench/monitoring.py in its own fresh database; its figures (one database) as a dict."""
    with tempfile.TemporaryDirectory(prefix="bench_run_") as scratch:
        out = Path(scratch) / "monitoring.json"
        # monitoring.py drops its database (mon_bench_run) when it ends
        command = [str(PYTHON), str(ROOT / "bench" / "monitoring.py"), "--db", db, "--name", "mon_bench_run",
                   "--records", str(args.monitoring_records), "--persons", str(args.monitoring_persons),
                   "--enrolments", str(args.monitoring_enrolments), "--json", str(out)]
        log.append(shlex.join([str(Path(a).relative_to(ROOT)) if a.startswith(str(ROOT)) else a for a in command]))
        print(f"$ {log[-1]}", flush=True)
        done = subprocess.run(command, cwd=ROOT, env={**os.environ, "DEBUG": "0", **BENCH_SETTINGS},
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
            raise SystemExit(f"命令失败（退出码 {done.returncode}）：{log[-1]}")
        return json.loads(out.read_text())[0]


# --- the child process: Django set up against the benchmark database ---------------------------------------

def worker(args: argparse.Namespace) -> None:
    import random

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from bench import measure

    rng = random.Random(args.seed)
    user = measure.officer()
    result: dict = {"facts": measure.database_facts()}
    print("a) 按身份证号查询…", flush=True)
    result["id_lookup"] = measure.id_lookups(user=user, rng=rng, count=args.lookups)
    print("b) 按姓名检索…", flush=True)
    result["name_search"] = measure.name_searches(user=user, rng=rng, count=args.searches)
    print("b2) 按身份证号尾号检索…", flush=True)
    result["id_suffix"] = measure.id_suffix_searches(user=user, rng=rng, count=args.searches)
    print("c) 人员列表页…", flush=True)
    result["list_page"] = measure.list_pages(user=user, rng=rng, count=args.pages)
    print("c2) 各角色首页（工作台）…", flush=True)
    result["home_pages"] = measure.home_pages(count=args.pages)
    if args.import_rows:
        print("d) 导入…", flush=True)
        content = measure.import_csv(rows=args.import_rows, seed=args.seed + 1)
        result["import"] = {"rows": args.import_rows, "bytes": len(content),
                            "import_file_run": measure.import_run(user=user, content=content, rows=args.import_rows),
                            "handwritten": measure.handwritten_sql(user=user, content=content,
                                                                   rows=args.import_rows),
                            "raw": measure.raw_bulk(content=content, rows=args.import_rows)}
        run_rate = result["import"]["import_file_run"].get("rows_per_s")
        if run_rate:
            result["import"]["ratio"] = round(run_rate / result["import"]["raw"]["rows_per_s"], 3)
            hand_rate = result["import"]["handwritten"].get("rows_per_s")
            if hand_rate:
                result["import"]["ratio_handwritten"] = round(run_rate / hand_rate, 2)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1))


# --- report -------------------------------------------------------------------------------------------------

def report(args: argparse.Namespace, results: list[dict], command: str) -> str:
    lines = ["# Minzheng 基准测试结果", "",
             f"命令：`{command}`", "",
             f"机器：{os.cpu_count()} 核，Python {platform.python_version()}，{platform.platform()}；"
             f"时间 {time.strftime('%Y-%m-%d %H:%M:%S %Z')}", ""]
    for result in results:
        lines += report_db(args, result)
    return "\n".join(lines) + "\n"


def _ms(figure: dict) -> str:
    return (f"中位数 {figure['median_ms']:.2f} ms，p95 {figure['p95_ms']:.2f} ms，最大 {figure['max_ms']:.2f} ms"
            f"（{figure['n']} 次）")


def report_db(args: argparse.Namespace, result: dict) -> list[str]:
    facts, build = result["facts"], result["build"]
    lines = [f"## {facts['version']}", "",
             f"数据：{facts['persons']:,} 人、{facts['households']:,} 户"
             + (f"，数据库 {facts['database_size']}，shared_buffers {facts['shared_buffers']}"
                if "database_size" in facts else ""), ""]
    if build.get("reused"):
        lines += ["建库：沿用已有的基准库（--reuse）", ""]
    else:
        lines += [f"建库：migrate {build['migrate_s']} 秒；load_demo {build['load_s']} 秒（进程总时长）",
                  f"- `{build['load_command']}`", f"- {build['load_summary']}", ""]
    lines += ["命令（按顺序）：", *[f"- `{c}`" for c in result["commands"]], ""]
    lines += [f"a) 按身份证号查询 `list(person_search(user=district_officer, query=<身份证号>))`："
              f"{_ms(result['id_lookup'])}",
              "", "b) 按姓名检索，`keyset_page(person_search(...), after=None, size=50)` 第一页："]
    names = {"chinese_substring": "中文姓名片段", "pinyin_prefix": "拼音前缀", "initials": "首字母", "all": "全部"}
    for kind, label in names.items():
        figure = result["name_search"][kind]
        example = f"（例：{'、'.join(figure['examples'])}）" if "examples" in figure else ""
        lines.append(f"- {label}{example}：{_ms(figure)}")
    if "id_suffix" in result:
        suffix = result["id_suffix"]
        examples = "、".join(suffix["indexed"]["examples"])
        lines += ["", f"b2) 按身份证号尾号（后4位、后6位交替，例：{examples}）检索第一页：",
                  f"- `person_search`（倒序身份证号索引）：{_ms(suffix['indexed'])}",
                  f"- 对照：同一检索写成 `id_number LIKE '%…'`（无索引可用）：{_ms(suffix['like_scan'])}"]
    page = result["list_page"]
    lines += ["", f"c) 人员列表页，{page['via']}："]
    labels = {"first_page": "第一页", "after_pages": "?after= 翻页", "searches": "?q= 检索", "all": "全部"}
    lines += [f"- {label}：{_ms(page[key])}" for key, label in labels.items() if key in page]
    homes = result.get("home_pages") or {}
    if homes:
        lines += ["", "c2) 各角色首页（工作台）`GET /`，django.test.Client 已登录（目标 p95 < 150 ms）："]
        lines += [f"- {role}（{figure['username']}）：{_ms(figure)}" for role, figure in homes.items()]
    lines += ["", *import_lines(result.get("import")), ""]
    lines += [*monitoring_lines(result.get("monitoring")), ""]
    return lines


def monitoring_lines(figures: dict | None) -> list[str]:
    if not figures:
        return ["e) 动态监测：未测（--monitoring-records 0）"]
    kept = sum(b["kept"] for b in figures.get("batches", {}).values())
    dropped = sum(b["non_residents"] for b in figures.get("batches", {}).values())
    return [
        f"e) 动态监测：部门数据 {figures['records']:,} 行（{figures['file_mb']} MB，其中本区人员约 "
        f"{figures['residents_share']:.0%}），登记 {figures['persons']:,} 人、低保 {figures['enrolments']:,} 户：",
        f"- 文件到预警全流程（预筛、暂存校验、保存 {kept:,} 条、非本区 {dropped:,} 行只计数、规则、预警和任务）："
        f"{figures['end_to_end_s']} 秒；同一文件原生批量写入 {figures['raw_load_s']} 秒；"
        f"比值 {figures['e2e_vs_raw_load']}",
        f"- 规则运行 `rules_run()`：{figures['rule_run_s']} 秒（其中候选查询 {figures['candidate_queries_s']} 秒）；"
        f"手写 SQL 联接 {figures['raw_join_s']} 秒；比值 {figures['rule_vs_join']}（目标 ≤ 2）；"
        f"预警 {figures['warnings_by_rule']} = 联接 {figures['raw_join_matches']}",
    ]


def import_lines(figures: dict | None) -> list[str]:
    if not figures:
        return ["d) 导入：未测（--import-rows 0）"]
    run_figure, raw = figures["import_file_run"], figures["raw"]
    lines = [f"d) 导入 {figures['rows']:,} 行（{figures['bytes'] / 1e6:.1f} MB CSV，新居民，身份证号前缀 500107）："]
    if "missing" in run_figure:
        lines.append(f"- import_file_run：{run_figure['missing']}")
    else:
        error = f"；{run_figure['error']}" if run_figure["error"] else ""
        lines.append("- `import_file_run(schema=\"persons_households\", mode=\"good_only\")` 全流程（暂存、校验、保存）"
                     "："
                     f"{run_figure['seconds']} 秒，{run_figure['rows_per_s']:,} 行/秒；状态 {run_figure['status']}，"
                     f"正确 {run_figure['good_rows']:,}、错误 {run_figure['bad_rows']:,}、"
                     f"已保存 {run_figure['committed_rows']:,} 行{error}")
    hand = figures.get("handwritten", {})
    if "missing" in hand:
        lines.append(f"- 手写 SQL 参照：{hand['missing']}")
    elif hand:
        lines.append(f"- 手写 SQL 写入同样的行（{hand['how']}）：{hand['seconds']} 秒，{hand['rows_per_s']:,} 行/秒")
    if "ratio_handwritten" in figures:
        lines.append(f"- 导入速率 / 手写 SQL 速率 = {figures['ratio_handwritten']}（目标 ≥ 0.7）")
    lines.append(f"- 仅供参考，非同类比较：{raw['how']}：{raw['seconds']} 秒，{raw['rows_per_s']:,} 行/秒"
                 f"（导入 / 原生 = {figures.get('ratio')}）")
    return lines


def main() -> None:
    args = parse_args()
    if args.worker:
        worker(args)
        return
    command = shlex.join([".venv/bin/python", "bench/run.py", *sys.argv[1:]])
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [bench_one(db, args) for db in databases]
    text = report(args, results, command)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.md").write_text(text, encoding="utf-8")
    (args.out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(text)
    print(f"报告已写入 {args.out / 'report.md'}")


if __name__ == "__main__":
    main()
