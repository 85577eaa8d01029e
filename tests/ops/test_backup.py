"""Backups: deploy/backup.sh dumps the database and archives the stored files beside it; deploy/restore.sh restores
both, into a fresh database that holds the same rows in every table and a fresh folder that holds the same files
(PostgreSQL: the dump tools are PostgreSQL's)."""

import subprocess
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from registry.models import Person
from tests.conftest import make_id

ROOT = Path(settings.BASE_DIR)
# pg_dump reads committed data: a transactional test. serialized_rollback as every transactional test here has, so
# its flush does not re-create content types that the next browser test's reload would then collide with.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump backs up PostgreSQL; the "
                                 "SQLite run has no dump to test (the PostgreSQL run of the suite covers it)")]


def _url(name: str) -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_a_dump_restores_into_a_fresh_database_with_the_same_rows(tmp_path, areas, media_root):
    for seq in range(3):
        Person.objects.create(name=f"备份测试{seq}", area_id=areas["community_a"],
                              id_number=make_id("500106", "19700101", seq))
    stored = default_storage.save("imports/2026/12/backup-test.csv", ContentFile("姓名\n备份测试0\n".encode()))
    source = _url(connection.settings_dict["NAME"])
    target_name = f"{connection.settings_dict['NAME']}_restored"
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": source, "KEEP": "2", "MEDIA_ROOT": str(media_root)}
    archive, dump = subprocess.run([str(ROOT / "deploy/backup.sh"), str(tmp_path / "backups")], env=env, check=True,
                                   capture_output=True, text=True).stdout.strip().splitlines()[-2:]
    assert Path(dump).is_file() and Path(dump).stat().st_size > 0
    assert archive == dump.removesuffix(".dump") + ".media.tar.gz" and Path(archive).is_file()
    restored_media = tmp_path / "restored-media"
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')
    try:
        subprocess.run([str(ROOT / "deploy/restore.sh"), dump, _url(target_name), str(restored_media)], env=env,
                       check=True, capture_output=True, text=True)
        before, after = _row_counts(source), _row_counts(_url(target_name))
        assert after == before
        assert (restored_media / stored).read_bytes() == (Path(media_root) / stored).read_bytes()
        assert before["registry_person"] >= 3 and before["areas_area"] == 227 and len(before) > 50
        # restoring over an existing database is refused: a restore never writes over live data
        again = subprocess.run([str(ROOT / "deploy/restore.sh"), dump, _url(target_name)], env=env,
                               capture_output=True, text=True)
        assert again.returncode != 0 and "already exists" in again.stderr
        # nor over stored files: a non-empty media folder is refused before anything is restored
        files_again = subprocess.run([str(ROOT / "deploy/restore.sh"), dump, _url(f"{target_name}_x"),
                                      str(restored_media)], env=env, capture_output=True, text=True)
        assert files_again.returncode != 0 and "not empty" in files_again.stderr
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')
