"""养老服务 reads: the standard in force, assessments a user may see, a person's latest level, and the
老年人能力综合评估率 indicator (set-based, for the cockpit)."""

from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.policy import restrict
from eldercare.models import AbilityItem, AbilityStandard, Assessment
from eldercare.scoring import Band, StandardData
from minzheng.dates import years_before
from minzheng.lookups import prefix_q
from registry.models import Person


def current_standard() -> AbilityStandard:
    return AbilityStandard.objects.get(current=True)


def standard_data(standard: AbilityStandard) -> StandardData:
    """The standard's rows as the plain values `eldercare.scoring` works with."""
    items = {i.code: (i.dimension.code, i.max_score) for i in standard.items.select_related("dimension")}
    return StandardData(
        items=items, dimensions={d.code: d.name for d in standard.dimensions.all()},
        bands=tuple(Band(b.level, b.name, b.min_total, b.max_total) for b in standard.bands.all()),
        risk_events_raise=standard.risk_events_raise, diagnosis_prefixes=tuple(standard.diagnosis_prefixes),
        max_level=standard.max_level)


def items_of(standard: AbilityStandard) -> QuerySet[AbilityItem]:
    return standard.items.select_related("dimension").order_by("sort")


def level_name(standard: AbilityStandard, level: int) -> str:
    band = standard.bands.filter(level=level).first()
    return band.name if band else str(level)


def assessments_visible(user, action: str = "view") -> QuerySet[Assessment]:
    return restrict(Assessment.objects.all(), user, action, resource="assessment")


def latest_assessment(person, *, on: date | None = None) -> Assessment | None:
    """The person's latest assessment on or before `on` (today by default), still valid (next_due not passed)."""
    on = on or date.today()
    return (Assessment.objects.filter(person=person, date__lte=on, next_due__gte=on)
            .order_by("-date", "-id").first())


def latest_level(person, *, on: date | None = None) -> int | None:
    """能力等级 of the person's latest valid assessment (0–4), or None. What the 特困 care level and the
    消费补贴 read."""
    found = latest_assessment(person, on=on)
    return found.level if found else None


def older_residents(on: date) -> QuerySet[Person]:
    """评估率的分母: resident (living) people aged 60 or more on `on`."""
    return Person.objects.filter(status=Person.Status.ACTIVE, birth_date__lte=years_before(on, 60))


def validly_assessed(on: date) -> Exists:
    """评估率的分子 condition, over a Person queryset: an assessment made by `on` whose next routine one is not due."""
    return Exists(Assessment.objects.filter(person_id=OuterRef("pk"), date__lte=on, next_due__gte=on))


def assessment_rate_by_community(*, area_prefix: str, on: date) -> dict[str, dict]:
    """老年人能力综合评估率 per community: resident people aged 60+ on `on` with a valid assessment (dated on or
    before `on`, next routine one not yet due) ÷ resident people aged 60+. Two grouped queries, no loop over
    people: {community code: {"older": n, "assessed": m, "rate": m/n or None}}."""
    rows = (older_residents(on).filter(prefix_q("area_id", area_prefix))
            .annotate(assessed=validly_assessed(on)).values("area_id")
            .annotate(older=Count("id"), done=Count("id", filter=Q(assessed=True))))
    return {r["area_id"]: {"older": r["older"], "assessed": r["done"],
                           "rate": (r["done"] / r["older"]) if r["older"] else None} for r in rows}
