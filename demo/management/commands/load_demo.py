"""`manage.py load_demo [--persons N] [--seed S] [--district-file FILE] [--force]` — a realistic demo district.

Loads the area tree when missing, creates the demo logins (idempotent: existing usernames are kept), and, unless
people are already registered, generates N people in households across every community of the district, the
same people for the same seed. The population is written set-based (COPY on PostgreSQL, batched executemany on
SQLite), one transaction per chunk. Each person and household gets one ChangeLog 'create' row (source 命令,
reason 演示数据), written set-based with it. Right after a population is generated, the social-assistance demo
(demo.assistance: applications in every state through the real services, and the existing 低保/特困 roll) is
built on the households just made (--cases 0 leaves it out), and then the payroll demo (demo.payments: bank
accounts, last month paid through the bank with a return file, this month generated), and the monitoring demo
(demo.monitoring: a month of department feeds, their warnings and tasks in every state). Prints the table of demo
logins at the end.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from audit.context import acting
from casework import clock
from demo.assistance import DEMO_CASES, demo_assistance_load, demo_assistance_logins, demo_assistance_users_ensure
from demo.carevisits import demo_carevisits_load
from demo.children import demo_children_load
from demo.custody import demo_custody_load
from demo.disability import demo_disability_load
from demo.eldercare import demo_eldercare_load
from demo.indicators import demo_indicators_load
from demo.loader import District, LoadSummary, demo_population_load, district_ensure
from demo.monitoring import demo_monitoring_load
from demo.payments import bank_accounts_create, demo_payments_load
from demo.personas import demo_logins, demo_personas, demo_personas_ensure, logins_table
from registry.models import Household, Person

DEFAULT_PERSONS = 20_000
DEFAULT_SEED = 20261101


class Command(BaseCommand):
    help = ("载入演示数据：区划、演示账号（统一演示密码）及一个区县的人员、家庭、收入、财产、残疾情况。"
            "同一随机种子生成相同数据；已有人员时不再重复生成（除非 --force）。"
            "每个人员和家庭写一条来源为“命令”的新增变更记录。")

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=DEFAULT_PERSONS, help=f"人数（默认 {DEFAULT_PERSONS}）")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子（相同种子生成相同数据）")
        parser.add_argument("--district-file", type=Path, default=Path("areas/data/areas-500106.csv"),
                            help="区划文件（默认沙坪坝区 areas/data/areas-500106.csv）")
        parser.add_argument("--force", action="store_true", help="已有人员时仍追加生成")
        parser.add_argument("--chunk-size", type=int, default=50_000, help="每批写入人数（一批一个事务）")
        parser.add_argument("--cases", type=int, default=DEMO_CASES,
                            help=f"社会救助申请演示件数（默认 {DEMO_CASES}，各状态均有；0 表示不生成社会救助演示数据）")
        parser.add_argument("--allow-non-debug", action="store_true",
                            help="DEBUG=False 时也允许载入（演示账号密码是公开的，切勿用于生产库）")

    def handle(self, *args, persons, seed, district_file, force, chunk_size, allow_non_debug, cases, **options):
        self.verbosity = options["verbosity"]
        if not settings.DEBUG and not allow_non_debug:
            raise CommandError("当前为生产配置（DEBUG=False）：演示账号的密码是公开的，拒绝载入。"
                               "确需载入（如基准测试库）请加 --allow-non-debug")
        if persons < 1 or chunk_size < 1:
            raise CommandError("--persons 和 --chunk-size 须为正整数")
        if cases < 0:
            raise CommandError("--cases 不能为负数")
        district_file = Path(district_file)
        path = district_file if district_file.is_absolute() else Path(settings.BASE_DIR) / district_file
        if not path.exists():
            raise CommandError(f"区划文件不存在：{district_file}")
        try:
            district = district_ensure(path=path)
            created = len(demo_personas_ensure(personas=demo_personas(district)))
            created += len(demo_assistance_users_ensure(district))  # the second town officers (入户调查 needs two)
        except (ValueError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"区划：{district.area.name}，{len(district.towns)} 个镇街、"
                          f"{len(district.communities)} 个村（社区）；新建演示账号 {created} 个")
        existing = Person.objects.count()
        if existing and not force:
            self.stdout.write(self.style.WARNING(f"演示数据已存在（已有 {existing:,} 人），未重复生成；"
                                                 "如需追加请加 --force"))
        else:
            first_household_id = (Household.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
            with acting(source="command"):
                summary = demo_population_load(district=district, persons=persons, seed=seed, chunk_size=chunk_size,
                                               progress=self._progress)
            self._report(summary)
            today = clock.today()
            if cases:
                self._assistance(district, seed, cases, first_household_id)
                self._payments()
                # 动态监测: a month of department feeds, their warnings and tasks in every state; then the other
                # domains on the same registry (children, disability, elderly care).
                self._domain(demo_monitoring_load, today=today, seed=seed)
                self._domain(demo_children_load, today=today, seed=seed)
                self._domain(demo_disability_load, today=today, seed=seed)
                self._domain(demo_eldercare_load, today=today)
                bank_accounts_create()  # the later domains' payees are paid like every other: an account each
                self._domain(demo_custody_load, today=today)  # 卡折代管: a few payees' cards kept, with checks
            self._domain(demo_carevisits_load, today=today)
            if cases:
                self._domain(demo_indicators_load, today=today)  # last: the cockpit's 24 months over all of it
            self._statistics()
        self.stdout.write("\n演示账号：\n" + logins_table(demo_logins() + demo_assistance_logins(district)))

    def _assistance(self, district: District, seed: int, cases: int, first_household_id: int) -> None:
        """社会救助演示数据 on the households just generated."""
        try:
            with acting(source="command"):
                summary = demo_assistance_load(district=district, seed=seed, today=clock.today(), cases=cases,
                                               first_household_id=first_household_id)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(summary.line()))

    def _payments(self) -> None:
        """资金发放演示数据: last month paid through the bank, this month generated (on the roll just made)."""
        try:
            with acting(source="command"):
                summary = demo_payments_load(today=clock.today())
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(summary.line()))

    def _domain(self, load, **kwargs) -> None:
        """One domain's demo data (its `demo_<app>_load`), written as the command, and its summary line."""
        with acting(source="command"):
            summary = load(**kwargs)
        self.stdout.write(self.style.SUCCESS(summary.line()))

    def _statistics(self) -> None:
        """PostgreSQL: refresh the planner's statistics after the bulk load. Autovacuum gets there later, but pages
        served meanwhile are planned on empty-table estimates (measured on the 1.5 M demo: the warnings block of
        the home page took 44 ms before ANALYZE and 5 ms after)."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _progress(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(message)

    def _report(self, summary: LoadSummary) -> None:
        self.stdout.write(self.style.SUCCESS(
            f"已生成 {summary.persons:,} 人（其中已死亡 {summary.deceased:,} 人）、{summary.households:,} 户、"
            f"{summary.incomes:,} 条收入、{summary.assets:,} 条财产、{summary.disabilities:,} 条残疾情况、"
            f"{summary.change_logs:,} 条变更记录，用时 {summary.seconds:.1f} 秒"))
