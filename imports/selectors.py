"""Import reads (数据导入查询), always area-scoped through accounts.policy.restrict."""

import re

from django.db.models import QuerySet

from accounts.policy import restrict
from imports.models import ImportBatch, StagedRow
from registry.identity import mask_id_number

_ID_LIKE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9Xx])")


def batches_visible(user) -> QuerySet[ImportBatch]:
    """Batches whose uploader's area lies in the user's scope (district officers: their district's)."""
    query = ImportBatch.objects.select_related("created_by", "job", "area")
    return restrict(query, user, "view", resource="import")


def batch_page(user, *, before: int | None = None, size: int = 50) -> list[ImportBatch]:
    """One keyset page of visible batches, newest first."""
    query = batches_visible(user).order_by("-id")
    if before:
        query = query.filter(id__lt=before)
    return list(query[:size])


def batch_error_rows(batch: ImportBatch, limit: int = 200) -> list[StagedRow]:
    return list(StagedRow.objects.filter(batch=batch, status=StagedRow.Status.ERROR).order_by("row_number")[:limit])


def masked_cells(row: StagedRow) -> str:
    """The row's cells for display, ID numbers masked (the full numbers are only in the logged export)."""
    text = " | ".join(cell for cell in row.data if cell)
    return _ID_LIKE.sub(lambda m: mask_id_number(m.group(0)), text)
