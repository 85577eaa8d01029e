"""Uploaded files move out of the database into the file storage (minzheng.files / STORAGES["default"]).

Forward: every batch whose BinaryField holds bytes gets them written as a stored file (random name; the original
file name stays in `original_filename`), then the BinaryField is dropped. Rows are never deleted; a batch whose
bytes were already emptied (processed department feeds) keeps an empty `file`.
Backward: the bytes are read back from the storage into the re-created BinaryField (the stored files are left
where they are). Run the forward migration on a machine that sees the storage the web and workers will use.
"""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models

import minzheng.files


def bytes_to_storage(apps, schema_editor):
    ImportBatch = apps.get_model("imports", "ImportBatch")
    for pk, filename in ImportBatch.objects.order_by("pk").values_list("pk", "original_filename"):
        content = ImportBatch.objects.filter(pk=pk).values_list("content", flat=True).first()
        if content:
            name = default_storage.save(minzheng.files.import_file_name(None, filename), ContentFile(bytes(content)))
            ImportBatch.objects.filter(pk=pk).update(file=name)


def storage_to_bytes(apps, schema_editor):
    ImportBatch = apps.get_model("imports", "ImportBatch")
    for pk, name in ImportBatch.objects.exclude(file="").order_by("pk").values_list("pk", "file"):
        with default_storage.open(name, "rb") as handle:
            ImportBatch.objects.filter(pk=pk).update(content=handle.read())


class Migration(migrations.Migration):

    dependencies = [("imports", "0002_batch_good_rows_staged")]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="file",
            field=models.FileField(blank=True, editable=False, max_length=200,
                                   upload_to=minzheng.files.import_file_name, verbose_name="文件"),
        ),
        migrations.RunPython(bytes_to_storage, storage_to_bytes),
        # a default first, so that reversing the removal can re-create the NOT NULL column on existing rows
        migrations.AlterField(model_name="importbatch", name="content",
                              field=models.BinaryField(default=b"", editable=False, verbose_name="文件内容")),
        migrations.RemoveField(model_name="importbatch", name="content"),
    ]
