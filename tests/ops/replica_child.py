"""Run by tests/ops/test_replica.py in a fresh process whose settings point at a primary (DATABASE_URL) and its
streaming replica (DATABASE_REPLICA_URL): write a payment line on the primary, wait for the replica to replay it,
then build the payments report inside `reading_from_replica()` and say which server answered what.

Prints one line: RESULT {json}.
"""

import json
import os
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")


def main() -> None:
    import django

    django.setup()
    from django.db import connections

    from accounts.models import User
    from minzheng.db_router import read_alias, reading_from_replica
    from payments.models import PaymentCycle, PaymentLine
    from payments.reports import filter_parse, report_build
    from tests.ops.pg_pair import wait_replayed

    queries = {"default": [], "replica": []}

    def recorder(alias):
        def record(execute, sql, params, many, context):
            queries[alias].append(sql)
            return execute(sql, params, many, context)
        return record

    officer = User.objects.get(username="do")
    template = PaymentLine.objects.order_by("id").first()
    march = PaymentCycle.objects.create(district_id=template.cycle.district_id, month=date(2026, 3, 1),
                                        status=PaymentCycle.Status.GENERATED, created_by=officer)
    PaymentLine.objects.create(
        cycle=march, enrolment_id=template.enrolment_id, program_id=template.program_id,
        person_id=template.person_id, household_id=template.household_id, area_id=template.area_id,
        month=march.month, covered_month=march.month, kind="regular", amount=Decimal(sys.argv[1]), status="pending",
        account_number=template.account_number)
    # The write above is on the primary; wait until the replica has it (the pair's own helper, by LSN).
    wait_replayed(os.environ["DATABASE_URL"], os.environ["DATABASE_REPLICA_URL"])

    f = filter_parse(user=officer, start="2026-01", end="2026-03")
    outside = read_alias()
    with connections["default"].execute_wrapper(recorder("default")), \
            connections["replica"].execute_wrapper(recorder("replica")), reading_from_replica():
        inside = read_alias()
        report = report_build(user=officer, key="amounts", f=f)
        in_recovery = {alias: connections[alias].cursor().execute("SELECT pg_is_in_recovery()").fetchone()[0]
                       for alias in ("default", "replica")}
    march_amount = sum((row["amount"] for row in report.tables[0].rows if row["month"] == "2026-03"), Decimal(0))
    payment_reads_on_primary = [q for q in queries["default"] if "payments_paymentline" in q]
    print("RESULT " + json.dumps({
        "outside": outside, "inside": inside, "in_recovery": in_recovery, "march_amount": str(march_amount),
        "replica_queries": len(queries["replica"]), "payment_reads_on_primary": len(payment_reads_on_primary),
        "report_tables": len(report.tables)}), flush=True)


if __name__ == "__main__":
    main()
