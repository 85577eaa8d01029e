"""Demo logins (演示账号): one account per role at the levels a visitor wants to try, sharing one demo password.

Usernames are stable: `district_officer`, `district_approver`, `leader`, `admin`, `town_officer_<town>`,
`town_reviewer_<town>` for the district's first two towns (`xlk` = 小龙坎街道, `spb` = 沙坪坝街道 for 沙坪坝区,
the initials of the town's name otherwise), and `community_worker` in the first community of the first town.
The password passes the project's password validators: the demo accounts are created like any other.
"""

import re
import unicodedata
from dataclasses import dataclass

from accounts import roles
from accounts.models import User
from accounts.roles import ROLE_NAMES
from accounts.services import user_create
from areas.models import Area, AreaLevel
from demo.data import DEMO_PASSWORD
from demo.loader import District, district_of
from registry.names import name_keys


@dataclass(frozen=True)
class Persona:
    username: str
    role: str
    area_code: str

    @property
    def full_name(self) -> str:
        return f"{ROLE_NAMES[self.role]}（演示）"


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role_name: str
    area_name: str


def town_slug(town: Area) -> str:
    """小龙坎街道 → xlk: the initials of the town's name without 街道/镇/乡."""
    return name_keys(re.sub(r"(街道|镇|乡)$", "", town.name))[1] or town.code[6:9]


def demo_personas(district: District) -> list[Persona]:
    if len(district.towns) < 2:
        raise ValueError("演示账号需要至少两个镇街")
    first_community = (Area.objects.filter(parent=district.towns[0], level=AreaLevel.COMMUNITY,
                                           valid_to__isnull=True).order_by("code").first())
    if first_community is None:
        raise ValueError(f"{district.towns[0].name} 下没有村（社区）")
    code = district.area.code
    personas = [Persona("district_officer", roles.DISTRICT_OFFICER, code),
                Persona("district_approver", roles.DISTRICT_APPROVER, code),
                Persona("leader", roles.LEADER, code),
                Persona("admin", roles.ADMIN, code)]
    for town in district.towns[:2]:
        slug = town_slug(town)
        personas += [Persona(f"town_officer_{slug}", roles.TOWN_OFFICER, town.code),
                     Persona(f"town_reviewer_{slug}", roles.TOWN_REVIEWER, town.code)]
    personas.append(Persona("community_worker", roles.COMMUNITY_WORKER, first_community.code))
    return personas


def demo_personas_ensure(*, personas: list[Persona]) -> list[Persona]:
    """Create the personas that do not exist yet (by username); returns those created. Existing ones are kept."""
    existing = set(User.objects.filter(username__in=[p.username for p in personas]).values_list("username",
                                                                                                  flat=True))
    created = []
    for persona in personas:
        if persona.username in existing:
            continue
        user_create(username=persona.username, password=DEMO_PASSWORD, roles=[persona.role],
                    area_code=persona.area_code, full_name=persona.full_name)
        created.append(persona)
    return created


def demo_logins() -> list[Login]:
    """The demo accounts present in the database, for every district loaded, in a stable order."""
    logins: list[Login] = []
    seen: set[str] = set()
    for district_area in Area.objects.filter(level=AreaLevel.DISTRICT).order_by("code"):
        try:
            personas = demo_personas(district_of(district_area.code))
        except ValueError:  # a district too small for the demo set has no demo accounts
            continue
        users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in personas])
                 .select_related("area")}
        for persona in personas:
            user = users.get(persona.username)
            if user is None or user.area_id != persona.area_code or user.username in seen:
                continue
            seen.add(user.username)
            # Not re-checked against the hash (Argon2 costs a third of a second per account): the password is the
            # one load_demo set, unless someone changed it since.
            logins.append(Login(user.username, DEMO_PASSWORD, ROLE_NAMES[persona.role], user.area.name))
    return logins


def logins_table(logins: list[Login]) -> str:
    """A plain-text table that lines up in a terminal (a Chinese character takes two columns)."""
    header = ("用户名", "密码", "角色", "所属区划")
    rows = [header] + [(x.username, x.password, x.role_name, x.area_name) for x in logins]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
