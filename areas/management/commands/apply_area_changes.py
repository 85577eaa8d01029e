"""`manage.py apply_area_changes FILE --edition 2024` — apply a new NBS edition's change list.

Columns: kind,old_code,new_code,new_name.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from areas.services import area_change_apply


class Command(BaseCommand):
    help = "应用新版区划代码的变更清单（kind,old_code,new_code,new_name；kind 为 new/rename/merge/split/retire）"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--edition", required=True)

    def handle(self, *args, path: Path, edition: str, **options):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        try:
            with transaction.atomic():  # one bad line: nothing applied
                for line_no, row in enumerate(rows, start=2):
                    try:
                        change = area_change_apply(edition=edition, kind=row["kind"], old_code=row.get("old_code", ""),
                                                   new_code=row.get("new_code", ""), new_name=row.get("new_name", ""))
                    except Exception as exc:  # re-raised with the line number, the transaction rolls back
                        raise CommandError(f"第{line_no}行：{exc}") from exc
                    self.stdout.write(f"{change.get_kind_display()} {change.old_code}→{change.new_code}")
        except CommandError:
            raise
        self.stdout.write(self.style.SUCCESS(f"已应用 {len(rows)} 条变更（{edition} 版）"))
