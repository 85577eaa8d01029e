"""Benchmark hygiene: --reuse recognises a kept database, each script writes only where told, and the databases a
benchmark makes are gone when it ends."""

import random
import textwrap
from io import StringIO

import pytest
from django.core.management import call_command

from bench import assistance_queue, harness, measure
from bench import run as bench_run


def test_reuse_probe_reads_the_count_behind_djangos_auto_import_line():
    # Django 5.2's `shell -c` announces its auto-imports before the command's own output
    output = "63 objects imported automatically (use -v 2 for details).\n\nPERSONS 1500000\n"
    assert bench_run.persons_counted(output) == 1_500_000
    assert bench_run.persons_counted("63 objects imported automatically\n1500000\n") == -1
    assert bench_run.persons_counted("") == -1


def test_run_drops_its_database_unless_kept():
    assert bench_run.parse_args([]).keep is False
    assert bench_run.parse_args(["--reuse", "--keep"]).keep is True


def test_assistance_queue_writes_no_file_unless_told(tmp_path, monkeypatch):
    args = assistance_queue.parse_args([])
    assert args.doc is None and args.results is None and args.keep is False
    with pytest.raises(SystemExit):  # the results of an earlier run are read only from a folder one names
        assistance_queue.main(["--report-only"])
    monkeypatch.setattr(assistance_queue, "report", lambda args, results: "报告正文\n")
    doc = tmp_path / "report.md"
    doc.write_text("旧数字\n" + assistance_queue.ANALYSIS_MARK + "手写分析\n", encoding="utf-8")
    assistance_queue.write_report(assistance_queue.parse_args(["--doc", str(doc)]), {})
    assert doc.read_text(encoding="utf-8") == "报告正文\n" + assistance_queue.ANALYSIS_MARK + "手写分析\n"


def test_harness_drops_the_database_after_the_child_even_when_it_fails(tmp_path, monkeypatch):
    database = harness.BenchDatabase(f"hygiene_{tmp_path.name}")
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent("""
        import os, sys
        open(os.environ["DATABASE_URL"].removeprefix("sqlite:///"), "w").write("x")
        print("RESULT {}") if "--ok" in sys.argv else sys.exit(3)
    """))
    assert database.run_child("sqlite", str(script), ["--ok"]) == {}
    assert not database.sqlite_path.exists()
    with pytest.raises(SystemExit):
        database.run_child("sqlite", str(script), [])
    assert not database.sqlite_path.exists()


@pytest.mark.django_db
def test_id_suffix_figures_come_from_real_searches():
    call_command("load_demo", persons=300, cases=0, allow_non_debug=True, stdout=StringIO())
    figures = measure.id_suffix_searches(user=measure.officer(), rng=random.Random(4), count=12)
    assert figures["indexed"]["n"] == 12 and figures["like_scan"]["n"] == 10
    assert all(len(s) in (4, 6) for s in figures["indexed"]["examples"])
