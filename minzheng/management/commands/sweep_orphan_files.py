"""清理无主文件: stored files no row names, older than STORED_FILES_GRACE_HOURS, are removed (minzheng.orphan_files).
Celery beat runs the same service daily; `--dry-run` lists what a run would remove and removes nothing."""

from django.core.management.base import BaseCommand

from audit.context import acting
from minzheng.orphan_files import orphan_files_sweep


class Command(BaseCommand):
    help = "删除没有任何记录引用、且早于宽限期（STORED_FILES_GRACE_HOURS）的存储文件；--dry-run 只列出，不删除"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只列出将删除的文件，不删除")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        with acting(source="command"):
            result = orphan_files_sweep(dry_run=dry_run)
        for name in result.orphans:
            self.stdout.write(f"{'将删除' if dry_run else '已删除'} {name}")
        counts = (f"检查 {result.scanned} 个文件：有记录引用 {result.referenced} 个，"
                  f"未到宽限期 {result.young} 个，无主 {len(result.orphans)} 个")
        if dry_run:
            self.stdout.write(f"{counts}（试运行，未删除任何文件）")
        else:
            self.stdout.write(f"{counts}，已删除 {result.removed} 个" + (f"，删除失败 {result.failed} 个"
                                                                       if result.failed else ""))
