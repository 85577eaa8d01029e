"""`manage.py load_areas FILE` — install a district's area tree (区划) from an NBS code file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from areas.services import AreaFileError, areas_load, read_area_file


class Command(BaseCommand):
    help = "载入一个区县的区划代码（code,name,level,parent_code）。例：load_areas areas/data/areas-500102.csv"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--edition", default="2023", help="区划代码版本（年份）")

    def handle(self, *args, path: Path, edition: str, **options):
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            rows = read_area_file(path)
        except AreaFileError as exc:
            raise CommandError(str(exc)) from exc
        count = areas_load(rows=rows, edition=edition)
        self.stdout.write(self.style.SUCCESS(f"已载入 {count} 个区划（{path.name}，{edition} 版）"))
