"""The social-assistance columns leave the kernel Case: assistance 0007 has copied them to assistance.Application
(one row per case), so they are dropped here."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0002_case_deadline_rows'),
        ('assistance', '0007_application'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='case',
            name='advance_approved_on',
        ),
        migrations.RemoveField(
            model_name='case',
            name='authorised_at',
        ),
        migrations.RemoveField(
            model_name='case',
            name='authorised_data_check',
        ),
        migrations.RemoveField(
            model_name='case',
            name='authorised_recorded_by',
        ),
        migrations.RemoveField(
            model_name='case',
            name='calculation',
        ),
        migrations.RemoveField(
            model_name='case',
            name='confirmation_base_on',
        ),
        migrations.RemoveField(
            model_name='case',
            name='decision_reasons',
        ),
        migrations.RemoveField(
            model_name='case',
            name='extended',
        ),
        migrations.RemoveField(
            model_name='case',
            name='extension_reason',
        ),
        migrations.RemoveField(
            model_name='case',
            name='materials_requested_on',
        ),
        migrations.RemoveField(
            model_name='case',
            name='missing_materials',
        ),
        migrations.RemoveField(
            model_name='case',
            name='monthly_amount',
        ),
        migrations.RemoveField(
            model_name='case',
            name='restarted_on',
        ),
    ]
