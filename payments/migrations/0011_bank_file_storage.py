"""Bank files (银行代发文件) move out of the database into the file storage (minzheng.files).

Forward: every bank file's bytes are written as a stored file (random name; `filename` and `checksum` stay in the
row), then the BinaryField is dropped; no row is deleted. Backward: the bytes are read back from the storage into
the re-created BinaryField (the stored files are left in place). Run it where the web and workers' storage is.
"""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models

import minzheng.files


def bytes_to_storage(apps, schema_editor):
    BankFile = apps.get_model("payments", "BankFile")
    for pk, filename in BankFile.objects.order_by("pk").values_list("pk", "filename"):
        content = BankFile.objects.filter(pk=pk).values_list("content", flat=True).first()
        if content:
            name = default_storage.save(minzheng.files.bank_file_name(None, filename), ContentFile(bytes(content)))
            BankFile.objects.filter(pk=pk).update(file=name)


def storage_to_bytes(apps, schema_editor):
    BankFile = apps.get_model("payments", "BankFile")
    for pk, name in BankFile.objects.exclude(file="").order_by("pk").values_list("pk", "file"):
        with default_storage.open(name, "rb") as handle:
            BankFile.objects.filter(pk=pk).update(content=handle.read())


class Migration(migrations.Migration):

    dependencies = [("payments", "0010_organisation_payee")]

    operations = [
        migrations.AddField(
            model_name="bankfile",
            name="file",
            field=models.FileField(blank=True, editable=False, max_length=200,
                                   upload_to=minzheng.files.bank_file_name, verbose_name="文件"),
        ),
        migrations.RunPython(bytes_to_storage, storage_to_bytes),
        # a default first, so that reversing the removal can re-create the NOT NULL column on existing rows
        migrations.AlterField(model_name="bankfile", name="content",
                              field=models.BinaryField(default=b"", editable=False, verbose_name="文件内容")),
        migrations.RemoveField(model_name="bankfile", name="content"),
    ]
