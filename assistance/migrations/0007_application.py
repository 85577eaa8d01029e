"""assistance.Application: the columns a social-assistance case kept on the kernel Case move here. One row per
existing case is created with the values copied (chunked, bulk), before casework 0003 drops the columns, so an
upgrade keeps every application's authorisation, notice dates, extension, amount, calculation and reasons."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ["authorised_data_check", "authorised_at", "authorised_recorded_by_id", "missing_materials",
         "materials_requested_on", "restarted_on", "confirmation_base_on", "extended", "extension_reason",
         "monthly_amount", "calculation", "advance_approved_on", "decision_reasons"]
CHUNK = 2000


def copy_columns(apps, schema_editor):
    """An Application per case (every case so far is a social-assistance one), walked by primary key."""
    Case = apps.get_model("casework", "Case")
    Application = apps.get_model("assistance", "Application")
    last = 0
    while True:
        chunk = list(Case.objects.filter(pk__gt=last).order_by("pk").values("id", *MOVED)[:CHUNK])
        if not chunk:
            return
        last = chunk[-1]["id"]
        Application.objects.bulk_create([Application(case_id=row.pop("id"), **row) for row in chunk],
                                        batch_size=CHUNK)


def copy_back(apps, schema_editor):
    """Reverse: the values back onto the case (the columns exist again once casework 0003 is reversed)."""
    Case = apps.get_model("casework", "Case")
    Application = apps.get_model("assistance", "Application")
    for row in Application.objects.values("case_id", *MOVED).iterator(chunk_size=CHUNK):
        Case.objects.filter(pk=row.pop("case_id")).update(**row)


class Migration(migrations.Migration):

    dependencies = [
        ('assistance', '0006_recheck_trigger_data'),
        ('casework', '0002_case_deadline_rows'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Application',
            fields=[
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='application', serialize=False, to='casework.case', verbose_name='案件')),
                ('authorised_data_check', models.BooleanField(default=False, verbose_name='已授权核对经济状况')),
                ('authorised_at', models.DateTimeField(blank=True, null=True, verbose_name='授权时间')),
                ('missing_materials', models.JSONField(blank=True, default=list, verbose_name='一次性告知补正材料')),
                ('materials_requested_on', models.DateField(blank=True, null=True, verbose_name='告知补正日期')),
                ('restarted_on', models.DateField(blank=True, help_text='公示异议成立之日', null=True, verbose_name='重新调查日期')),
                ('confirmation_base_on', models.DateField(blank=True, help_text='公示期满之日，审核确认期限由此起算', null=True, verbose_name='报送审核确认日期')),
                ('extended', models.BooleanField(default=False, verbose_name='已延期')),
                ('extension_reason', models.CharField(blank=True, max_length=200, verbose_name='延期理由')),
                ('monthly_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='金额（元）')),
                ('calculation', models.JSONField(blank=True, default=dict, help_text='初审（review）、先行审批（advance）与审核确认（confirmation）时的测算', verbose_name='金额计算过程')),
                ('advance_approved_on', models.DateField(blank=True, null=True, verbose_name='先行审批日期')),
                ('decision_reasons', models.TextField(blank=True, verbose_name='不予确认理由')),
                ('authorised_recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='授权登记人')),
            ],
            options={
                'verbose_name': '社会救助申请事项',
                'verbose_name_plural': '社会救助申请事项',
            },
        ),
        migrations.RunPython(copy_columns, copy_back),
    ]
