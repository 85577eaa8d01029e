"""Import fixtures: stage / commit through the services with the on-commit job queue actually run (eager)."""

import pytest

from accounts.models import Grant
from imports.models import ImportBatch
from imports.services import import_batch_commit, import_batch_stage


@pytest.fixture
def officer(personas):
    return personas["district_officer"]


@pytest.fixture
def stage(officer, django_capture_on_commit_callbacks):
    """Upload bytes as `user` and run the validation job (Celery is eager in tests), return the fresh batch."""

    def run(content: bytes, filename: str = "居民.csv", user=None) -> ImportBatch:
        with django_capture_on_commit_callbacks(execute=True):
            batch = import_batch_stage(acting_user=user or officer, schema="persons_households",
                                       filename=filename, content=content)
        batch.refresh_from_db()
        return batch

    return run


@pytest.fixture
def commit(officer, django_capture_on_commit_callbacks):
    def run(batch: ImportBatch, user=None) -> ImportBatch:
        with django_capture_on_commit_callbacks(execute=True):
            import_batch_commit(acting_user=user or officer, batch=batch)
        batch.refresh_from_db()
        return batch

    return run


@pytest.fixture
def town_importer(personas):
    """The town A officer, given the import grant for these tests: a scope smaller than the district."""
    from accounts.models import User

    for action in ("run", "view"):
        Grant.objects.get_or_create(role_id="town_officer", resource="import", action=action)
    return User.objects.get(pk=personas["town_officer"].pk)  # a fresh object: grants are cached per object


def sheet_row(batch: ImportBatch, row_number: int):
    """A row as the error sheet has it (the set-based path stages only rows with something to say; the good ones
    come from the stored file)."""
    from imports.pipeline import sheet_pages

    return next(r for page in sheet_pages(batch) for r in page if r.row_number == row_number)


def messages_of(batch: ImportBatch, row_number: int) -> list[str]:
    return sheet_row(batch, row_number).errors


def status_of(batch: ImportBatch, row_number: int) -> str:
    return sheet_row(batch, row_number).status
