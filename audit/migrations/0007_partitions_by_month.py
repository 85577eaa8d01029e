"""The audit tables (变更记录, 访问记录, 业务事件) become partitioned by month on PostgreSQL, keeping every row, id and
index name (minzheng/partitions.py says how and why); nothing changes on SQLite. The models are unchanged: the
database's primary key is (id, time), Django's stays id."""

from django.db import migrations

from minzheng.partitions import to_partitioned, to_plain


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0006_event_types_december"),
    ]

    operations = [
        migrations.RunPython(to_partitioned, to_plain, elidable=False),
    ]
