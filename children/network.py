"""儿童关爱服务网络: 儿童主任 for every village/community, 儿童督导员 for every town, 未成年人保护工作站 per town,
the training of each — and the coverage per town with the gaps listed.

Coverage of a town (覆盖率, documented formula): directors = communities of the town with a child director in
post on the day ÷ the town's communities; the town has a supervisor in post (yes/no) and an open protection
station (yes/no). The gaps are the communities without a director and the towns without a supervisor or a
station. `town_coverage(prefix, on)` is the selector a cockpit block may read (one query per kind).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from areas.models import Area, AreaLevel
from audit.models import ChangeLog
from audit.services import change_log_write, snapshot
from casework import clock
from children.models import NetworkRole, ProtectionStation, Training
from children.services import require
from minzheng.lookups import prefix_q

RESOURCE = "child_network"
LEVEL_OF = {NetworkRole.Kind.DIRECTOR: AreaLevel.COMMUNITY, NetworkRole.Kind.SUPERVISOR: AreaLevel.TOWN}


def _area(code: str, level: str, field_name: str = "area") -> Area:
    area = Area.objects.filter(code=code, level=level).first()
    if area is None:
        raise ValidationError({field_name: [f"区划代码不存在或不是{AreaLevel(level).label}一级：{code}"]})
    return area


@transaction.atomic
def network_role_appoint(*, acting_user, kind: str, area_code: str, name: str, appointed_on: date,
                         phone: str = "") -> NetworkRole:
    """任命儿童主任（村社区）或儿童督导员（乡镇街道）; the one in post in that area leaves the post the day before."""
    if kind not in NetworkRole.Kind.values:
        raise ValidationError({"kind": ["kind 应为 director（儿童主任）或 supervisor（儿童督导员）"]})
    area = _area(area_code, LEVEL_OF[kind])
    require(acting_user, "add", area.code, resource=RESOURCE)
    if not (name or "").strip():
        raise ValidationError({"name": ["请填写姓名"]})
    if appointed_on > clock.today():
        raise ValidationError({"appointed_on": ["任命日期不能晚于今天"]})
    for previous in NetworkRole.objects.filter(kind=kind, area=area, ended_on__isnull=True):
        before = snapshot(previous)
        previous.ended_on = appointed_on
        previous.save(update_fields=["ended_on"])
        change_log_write(instance=previous, action=ChangeLog.Action.UPDATE, before=before, after=snapshot(previous),
                         acting_user=acting_user, reason="新任人员接任")
    role = NetworkRole.objects.create(kind=kind, area=area, name=name.strip()[:50], phone=(phone or "")[:20],
                                      appointed_on=appointed_on)
    change_log_write(instance=role, action=ChangeLog.Action.CREATE, before=None, after=snapshot(role),
                     acting_user=acting_user)
    return role


@transaction.atomic
def training_record(*, acting_user, role: NetworkRole, title: str, held_on: date, hours: Decimal) -> Training:
    require(acting_user, "add", role.area_id, resource=RESOURCE)
    if not (title or "").strip():
        raise ValidationError({"title": ["请填写培训名称"]})
    row = Training.objects.create(role=role, area_id=role.area_id, title=title.strip()[:100], held_on=held_on,
                                  hours=hours)
    change_log_write(instance=row, action=ChangeLog.Action.CREATE, before=None, after=snapshot(row),
                     acting_user=acting_user)
    return row


@transaction.atomic
def station_open(*, acting_user, area_code: str, name: str, opened_on: date, address: str = "") -> ProtectionStation:
    area = _area(area_code, AreaLevel.TOWN)
    require(acting_user, "add", area.code, resource=RESOURCE)
    row = ProtectionStation.objects.create(area=area, name=(name or f"{area.name}未成年人保护工作站")[:100],
                                           address=(address or "")[:200], opened_on=opened_on)
    change_log_write(instance=row, action=ChangeLog.Action.CREATE, before=None, after=snapshot(row),
                     acting_user=acting_user)
    return row


@dataclass
class TownCoverage:
    code: str
    name: str
    communities: int
    with_director: int
    supervisor: str  # the supervisor's name, "" when none
    station: str  # the station's name, "" when none
    missing_directors: list[tuple[str, str]] = field(default_factory=list)  # (code, name)

    @property
    def rate(self) -> Decimal | None:
        """儿童主任覆盖率 = communities with a director ÷ communities (None for a town without communities)."""
        if not self.communities:
            return None
        return (Decimal(self.with_director) / Decimal(self.communities)).quantize(Decimal("0.0001"))

    @property
    def complete(self) -> bool:
        return self.with_director == self.communities and bool(self.supervisor) and bool(self.station)


def _in_post(on: date) -> Q:
    return Q(appointed_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gt=on))


def stations_open(on: date):
    """未成年人保护工作站 open on `on` (opened by then, not closed)."""
    return ProtectionStation.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on), opened_on__lte=on)


def town_coverage(prefix: str, on: date | None = None) -> list[TownCoverage]:
    """Per town under `prefix` (a district or town code prefix): directors, supervisor, station, gaps."""
    on = on or clock.today()
    towns = list(Area.objects.filter(level=AreaLevel.TOWN, code__startswith=prefix).order_by("code"))
    communities = list(Area.objects.filter(level=AreaLevel.COMMUNITY, code__startswith=prefix)
                       .order_by("code").values_list("code", "name", "parent_id"))
    roles = NetworkRole.objects.filter(_in_post(on), prefix_q("area_id", prefix))
    directors = set(roles.filter(kind=NetworkRole.Kind.DIRECTOR).values_list("area_id", flat=True))
    supervisors = dict(roles.filter(kind=NetworkRole.Kind.SUPERVISOR).values_list("area_id", "name"))
    stations = dict(stations_open(on).filter(prefix_q("area_id", prefix)).values_list("area_id", "name"))
    rows = []
    for town in towns:
        mine = [(code, name) for code, name, parent in communities if parent == town.code]
        rows.append(TownCoverage(code=town.code, name=town.name, communities=len(mine),
                                 with_director=sum(code in directors for code, _ in mine),
                                 supervisor=supervisors.get(town.code, ""), station=stations.get(town.code, ""),
                                 missing_directors=[(c, n) for c, n in mine if c not in directors]))
    return rows
