"""文号: a case document's number per district, kind and year, given once and printed on every copy."""

from django.db import IntegrityError, transaction
from django.db.models import Max

from areas.codes import DISTRICT_PREFIX_LENGTH
from areas.models import Area
from casework.models import Case, DocumentNumber, DocumentSeries


def default_template(district: Area) -> str:
    """Without a series set in the admin: the district's first character + 民救 (社会救助), e.g. 沙民救〔2026〕12号."""
    return f"{district.name[:1]}民救〔{{year}}〕{{seq}}号"


def document_number(*, case: Case, kind: str, year: int) -> str:
    """The case's number for `kind`: the one already given, or the next of the district's series for `year`. Two
    people printing at once get two different numbers (the unique constraint decides; the loser takes the next)."""
    existing = DocumentNumber.objects.filter(case=case, kind=kind).values_list("text", flat=True).first()
    if existing:
        return existing
    district = Area.objects.get(code=case.area_id[:DISTRICT_PREFIX_LENGTH] + "0" * (12 - DISTRICT_PREFIX_LENGTH))
    series = DocumentSeries.objects.filter(district=district, kind=kind).values_list("template", flat=True).first()
    template = series or default_template(district)
    for _ in range(5):
        try:
            with transaction.atomic():
                last = (DocumentNumber.objects.filter(district=district, kind=kind, year=year)
                        .aggregate(last=Max("seq"))["last"] or 0)
                seq = last + 1
                number = DocumentNumber.objects.create(case=case, district=district, kind=kind, year=year, seq=seq,
                                                       text=template.format(year=year, seq=seq))
                return number.text
        except IntegrityError:
            given = DocumentNumber.objects.filter(case=case, kind=kind).values_list("text", flat=True).first()
            if given:
                return given
    raise RuntimeError("文号编号冲突，请重试")
