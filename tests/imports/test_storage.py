"""Uploaded files live in the file storage (minzheng.files), not in the database: a local folder by default, an
S3-compatible bucket (here a real moto server on a free port, private objects: `s3_storage` in
tests/conftest.py) when the settings say so."""

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User
from imports.models import ImportBatch
from minzheng.files import file_read
from tests.imports.helpers import families, to_csv


def test_an_upload_is_a_stored_file_under_a_random_name(stage, areas, media_root):
    content = to_csv(families(3, areas["community_a"]))
    batch = stage(content, filename="张三家庭.csv")
    assert batch.status == ImportBatch.Status.VALIDATED and batch.total_rows == 9
    stored = Path(media_root) / batch.file.name
    assert stored.read_bytes() == content and file_read(batch.file) == content
    assert batch.file.name.startswith("imports/") and batch.file.name.endswith(".csv")
    assert "张三" not in batch.file.name  # the original name (which may name a person) stays in the row only
    assert batch.original_filename == "张三家庭.csv"


def test_the_error_sheet_reads_the_good_rows_back_from_the_stored_file(stage, areas, as_client):
    rows = families(2, areas["community_a"])
    rows[1][2] = "123"  # one bad ID number
    batch = stage(to_csv(rows))
    response = as_client.get(f"/imports/{batch.pk}/errors/", {"format": "csv"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + len(rows)


@pytest.fixture
def as_client(client, officer):
    client.force_login(officer)
    return client


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_moves_stored_bytes_out_of_the_database_and_back(media_root, areas):
    """0003_file_storage: every batch's bytes become a stored file (none lost, none deleted); reversed, they come
    back into the column."""
    executor = MigrationExecutor(connection)
    before, after = [("imports", "0002_batch_good_rows_staged")], [("imports", "0003_file_storage")]
    executor.migrate(before)
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps
        OldBatch = old.get_model("imports", "ImportBatch")
        user = User.objects.create(username="migration-test")
        kept = OldBatch.objects.create(schema="persons_households", original_filename="户.csv", content=b"a,b\n1,2\n",
                                       checksum="x", area_id=areas["district"], created_by_id=user.pk)
        emptied = OldBatch.objects.create(schema="feed_vehicle", original_filename="车辆.csv", content=b"",
                                          checksum="y", area_id=areas["district"], created_by_id=user.pk)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps.get_model("imports", "ImportBatch")
        assert new.objects.count() == 2
        moved = new.objects.get(pk=kept.pk)
        assert moved.file.name.startswith("imports/") and default_storage.open(moved.file.name).read() == b"a,b\n1,2\n"
        assert (Path(media_root) / moved.file.name).is_file()
        assert new.objects.get(pk=emptied.pk).file.name == ""
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        back = MigrationExecutor(connection).loader.project_state(before).apps.get_model("imports", "ImportBatch")
        assert bytes(back.objects.get(pk=kept.pk).content) == b"a,b\n1,2\n"
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_with_s3_settings_an_upload_is_a_private_object_in_the_bucket(stage, areas, s3_storage, media_root):
    content = to_csv(families(2, areas["community_a"]))
    batch = stage(content)
    assert batch.status == ImportBatch.Status.VALIDATED and batch.total_rows == 6  # read back from the bucket
    stored = s3_storage.get_object(Bucket="minzheng", Key=batch.file.name)["Body"].read()
    assert stored == content
    grants = s3_storage.get_object_acl(Bucket="minzheng", Key=batch.file.name)["Grants"]
    assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")]  # no public read
    assert not [p for p in Path(media_root).rglob("*") if p.is_file()]  # nothing written to the local folder
