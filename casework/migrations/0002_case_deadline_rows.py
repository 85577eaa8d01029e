"""Deadlines become rows (CaseDeadline): each case's *_due column, with its basis from deadline_basis, is copied to
a row before the columns go, so an upgrade keeps every case's deadlines."""

import django.db.models.deletion
from django.db import migrations, models

# The columns as they were, with the label a row gets when the stored basis has none.
COLUMNS = {"investigation_due": "启动调查期限", "town_review_due": "初审期限", "confirmation_due": "审核确认期限",
           "overall_due": "办结期限"}
CHUNK = 2000


def copy_due_columns(apps, schema_editor):
    """One CaseDeadline per non-empty *_due column, walked by primary key in chunks (bounded memory)."""
    Case = apps.get_model("casework", "Case")
    CaseDeadline = apps.get_model("casework", "CaseDeadline")
    fields = ["id", "deadline_basis", "closed_at", *COLUMNS]
    last = 0
    while True:
        chunk = list(Case.objects.filter(pk__gt=last).order_by("pk").values(*fields)[:CHUNK])
        if not chunk:
            return
        rows = []
        for case in chunk:
            for kind, label in COLUMNS.items():
                if case[kind] is None:
                    continue
                basis = (case["deadline_basis"] or {}).get(kind) or {}
                rows.append(CaseDeadline(case_id=case["id"], kind=kind, label=basis.get("label") or label,
                                         due=case[kind], basis=basis, provisional=bool(basis.get("provisional")),
                                         closed_at=case["closed_at"]))
        CaseDeadline.objects.bulk_create(rows, batch_size=CHUNK)
        last = chunk[-1]["id"]


def copy_rows_back(apps, schema_editor):
    """Reverse: the rows back into the columns (a downgrade keeps the dates too)."""
    Case = apps.get_model("casework", "Case")
    CaseDeadline = apps.get_model("casework", "CaseDeadline")
    by_case: dict = {}
    for row in CaseDeadline.objects.filter(kind__in=list(COLUMNS)).values("case_id", "kind", "due", "basis"):
        by_case.setdefault(row["case_id"], []).append(row)
    for case_id, rows in by_case.items():
        Case.objects.filter(pk=case_id).update(
            deadline_basis={row["kind"]: row["basis"] for row in rows}, **{row["kind"]: row["due"] for row in rows})


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseDeadline',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=40, verbose_name='期限类别')),
                ('label', models.CharField(max_length=60, verbose_name='期限名称')),
                ('due', models.DateField(verbose_name='期限')),
                ('basis', models.JSONField(blank=True, default=dict, verbose_name='计算依据')),
                ('provisional', models.BooleanField(default=False, help_text='跨入尚未发布节假日安排的年份，暂按周末计算', verbose_name='暂定')),
                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='案件办结时间')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deadlines', to='casework.case', verbose_name='案件')),
            ],
            options={
                'verbose_name': '办理期限',
                'verbose_name_plural': '办理期限',
                'ordering': ['case_id', 'due', 'id'],
                'constraints': [models.UniqueConstraint(fields=('case', 'kind'), name='case_deadline_kind')],
            },
        ),
        migrations.RunPython(copy_due_columns, copy_rows_back),
        migrations.RemoveField(
            model_name='case',
            name='confirmation_due',
        ),
        migrations.RemoveField(
            model_name='case',
            name='deadline_basis',
        ),
        migrations.RemoveField(
            model_name='case',
            name='investigation_due',
        ),
        migrations.RemoveField(
            model_name='case',
            name='overall_due',
        ),
        migrations.RemoveField(
            model_name='case',
            name='town_review_due',
        ),
    ]
