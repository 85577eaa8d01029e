"""Files no row refers to (无主文件): found under the platform's upload prefixes and removed after a grace period.

A stored file is written before its row commits (minzheng.files), so a rolled-back upload, a crash between the
two, or a row whose file was replaced leaves bytes that no page can reach. `orphan_files_sweep` lists every file
under the prefixes the models' FileFields store to (collected from the app registry), keeps those a row still
names, keeps those younger than `STORED_FILES_GRACE_HOURS` (an upload whose row has not committed yet) and removes
the rest; one audit event per run gives the counts. Celery beat runs it daily (periodic.sweep_orphan_files), and
`manage.py sweep_orphan_files --dry-run` lists what it would remove.

A row deleted with its file (any path: a purge, the admin, a cascade) removes the file once the deletion commits
(`file_removed_with_row`, connected for every model with a FileField in MinzhengConfig.ready).
"""

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, timedelta
from functools import partial

from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import models, router, transaction
from django.db.models.signals import post_delete
from django.utils import timezone

from audit.models import EventType
from audit.services import domain_event_write
from minzheng.files import file_delete


def file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    """Every FileField of every installed model, from the app registry (a new one is found without a list)."""
    return [(model, field) for model in apps.get_models() if not model._meta.proxy
            for field in model._meta.concrete_fields if isinstance(field, models.FileField)]


def upload_prefixes() -> list[str]:
    """The top folders the fields' upload_to produce (`imports`, `bankfiles`, `cases`): only these are swept; a
    field storing at the top level gives none, so the root of the storage is never swept."""
    names = (field.generate_filename(None, "probe") for _, field in file_fields())
    return sorted({name.split("/", 1)[0] for name in names if "/" in name})


def _stored_names(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # nothing stored under this prefix yet (a local folder not created)
        return
    yield from (f"{folder}/{name}" for name in files)
    for sub in folders:
        yield from _stored_names(storage, f"{folder}/{sub}")


def _referenced(names: list[str]) -> set[str]:
    """Those of `names` some row's file field holds, read on the primary (a replica may lag behind a new row)."""
    found: set[str] = set()
    for model, field in file_fields():
        rows = model._base_manager.using(router.db_for_write(model))
        for start in range(0, len(names), 500):
            found.update(rows.filter(**{f"{field.name}__in": names[start:start + 500]})
                         .values_list(field.name, flat=True))
    return found


def _older_than(storage: Storage, name: str, cutoff) -> bool:
    try:
        return storage.get_modified_time(name) < cutoff
    except (FileNotFoundError, OSError):  # removed meanwhile
        return False


@dataclass
class SweepResult:
    """What one sweep saw: every stored file under the prefixes is exactly one of kept (referenced or young),
    removed, or failed (could not be removed; tried again next run)."""

    scanned: int = 0
    referenced: int = 0
    young: int = 0
    removed: int = 0
    failed: int = 0
    dry_run: bool = False
    orphans: list[str] = dataclass_field(default_factory=list)

    def counts(self) -> dict:
        return {key: value for key, value in asdict(self).items() if key != "orphans"}


def orphan_files_find(*, now: datetime | None = None, storage: Storage | None = None) -> SweepResult:
    """The stored files under the upload prefixes that no row names and that are older than the grace period."""
    storage = storage or default_storage
    cutoff = (now or timezone.now()) - timedelta(hours=settings.STORED_FILES_GRACE_HOURS)
    names = [name for prefix in upload_prefixes() for name in _stored_names(storage, prefix)]
    referenced = _referenced(names)
    unreferenced = [name for name in names if name not in referenced]
    orphans = [name for name in unreferenced if _older_than(storage, name, cutoff)]
    return SweepResult(scanned=len(names), referenced=len(referenced), young=len(unreferenced) - len(orphans),
                       orphans=orphans)


def orphan_files_sweep(*, dry_run: bool = False, now: datetime | None = None) -> SweepResult:
    """清理无主文件: remove the orphans (`orphan_files_find`); a dry run only lists them. A real run writes one audit
    event with the counts (also when nothing was found: the event says the sweep ran). Idempotent: a second run
    finds nothing more to remove."""
    result = orphan_files_find(now=now)
    result.dry_run = dry_run
    if dry_run:
        return result
    for name in result.orphans:
        try:
            default_storage.delete(name)
            result.removed += 1
        except OSError:  # a permission or network error: counted, tried again on the next run
            result.failed += 1
    domain_event_write(type=EventType.ORPHAN_FILES_SWEPT, params=result.counts(),
                       message=f"清理无主文件：检查{result.scanned}个文件，删除{result.removed}个"
                               + (f"，{result.failed}个删除失败" if result.failed else ""))
    return result


def file_removed_with_row(sender, instance, using, **kwargs) -> None:
    """post_delete: the row's stored files leave the storage once the deletion commits (not before: a rolled-back
    deletion keeps its row, which must keep its file)."""
    for field in sender._meta.concrete_fields:
        stored = getattr(instance, field.attname) if isinstance(field, models.FileField) else None
        if stored:
            transaction.on_commit(partial(file_delete, stored), using=using, robust=True)


def file_cleanup_connect() -> None:
    """Connect `file_removed_with_row` for each model that has a FileField (only those: a receiver on every model
    would make Django fetch each row of every bulk delete)."""
    for model in {model for model, _ in file_fields()}:
        post_delete.connect(file_removed_with_row, sender=model, dispatch_uid=f"file_cleanup_{model._meta.label}")
