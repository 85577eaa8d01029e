"""Search at the speed of the database (检索索引): the ID number's last digits through an index on the reversed
number (both engines), and name fragments through pg_trgm (PostgreSQL) or an FTS5 trigram table (SQLite).

Both are built over the rows already registered by the database itself (CREATE INDEX; one INSERT … SELECT into
the FTS table), never row by row. See registry/search_index.py for what production needs (pg_trgm).
"""

from django.db import migrations, models

import minzheng.lookups


def install(apps, schema_editor):
    from registry import search_index

    search_index.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from registry import search_index

    search_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("areas", "0001_initial"),
        ("registry", "0002_income_categories"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(minzheng.lookups.Reversed("id_number", length=18), name="person_id_reversed"),
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
