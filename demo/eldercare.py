"""The elderly-care demo (养老服务演示数据): ability assessments in the community worker's community, two care homes
(one with its own provider account), residents, a monthly report and a daily check with a hazard, home-service
providers with orders delivered this month, 养老服务消费补贴 enrolments with this month's vouchers (some redeemed),
both providers with a 收款单位 and a bank account and this month's redemptions settled into this month's payment
cycle (paid to the providers), a year's service target, 适老化改造 plans (one at each stage, from 入户评估 to 补贴发放)
and time-bank volunteers with hours earned and spent — all through the eldercare services.

Idempotent: a second run finds the demo care homes and adds nothing."""

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from stdnum.cn import uscc

from accounts.models import User
from accounts.roles import CARE_PROVIDER
from accounts.services import user_create
from audit.context import acting
from demo.data import DEMO_PASSWORD
from eldercare.community import STAGES, adaptation_advance, adaptation_start, time_bank_record
from eldercare.homes import monthly_report_submit, resident_admit, safety_check_record
from eldercare.models import (
    CareHome,
    SafetyChecklistItem,
    ServiceItem,
    ServiceProvider,
    ServiceTarget,
    Voucher,
)
from eldercare.orders import service_delivery_record, service_order_create
from eldercare.providers import provider_payee_set
from eldercare.selectors import current_standard, items_of
from eldercare.services import assessment_record
from eldercare.vouchers import voucher_redeem, vouchers_issue, vouchers_settle, xiaofei_enrol
from minzheng.dates import add_months, first_of_month, years_before
from minzheng.lookups import prefix_q
from payments.models import PaymentCycle
from payments.payees import organisation_account_register
from registry.models import Person

HOMES = [("沙坪坝区社会福利院（演示）", True, 200, 150, 4, True), ("康乐养老中心（演示）", False, 80, 40, 2, False)]
PROVIDER_USERNAME = "carehome_provider"
# Totals across the bands (能力完好 … 完全失能), with one dementia diagnosis and one with two risk events.
TOTALS = [90, 84, 72, 63, 58, 49, 44, 36, 27, 70, 52, 88]


@dataclass
class ElderSummary:
    assessments: int = 0
    homes: int = 0
    orders: int = 0
    vouchers: int = 0
    adaptations: int = 0
    volunteers: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        if not self.homes:
            return "养老服务演示数据：已存在或缺少演示账号、老年人，未生成"
        return (f"养老服务演示数据：能力评估 {self.assessments} 份，养老机构 {self.homes} 家，"
                f"服务订单 {self.orders} 单，消费券 {self.vouchers} 张，适老化改造 {self.adaptations} 户，"
                f"时间银行志愿者 {self.volunteers} 人，用时 {self.seconds:.1f} 秒")


def _scores(items, total: int) -> dict[str, int]:
    scores = {i.code: i.max_score for i in items}
    drop = sum(scores.values()) - total
    for code in reversed(list(scores)):
        take = min(scores[code], drop)
        scores[code] -= take
        drop -= take
    return scores


def _elders(area_prefix: str, today: date, count: int, min_age: int = 65) -> list[Person]:
    return list(Person.objects.filter(prefix_q("area_id", area_prefix), status=Person.Status.ACTIVE,
                                      birth_date__lte=years_before(today, min_age)).order_by("pk")[:count])


def demo_eldercare_load(*, today: date) -> ElderSummary:
    summary, started = ElderSummary(), time.monotonic()
    worker = User.objects.filter(username="community_worker").select_related("area").first()
    officer = User.objects.filter(username="district_officer").first()
    second = User.objects.filter(username__startswith="town_officer_").order_by("username").first()
    if CareHome.objects.filter(name=HOMES[0][0]).exists() or not (worker and officer and second):
        return summary
    with acting(source="command"):
        _load(summary, worker, officer, second, today)
    summary.seconds = time.monotonic() - started
    return summary


def _load(summary: ElderSummary, worker: User, officer: User, second: User, today: date) -> None:
    community = worker.area_id
    town = community[:9] + "000"
    items = list(items_of(current_standard()))
    elders = _elders(community, today, len(TOTALS))
    for index, (person, total) in enumerate(zip(elders, TOTALS, strict=False)):
        assessment_record(acting_user=worker, person=person, on=today - timedelta(days=3 + index), reason="first",
                          items=_scores(items, total), diagnoses=["F03"] if index == 4 else [],
                          risk_events_30d=2 if index == 9 else 0, second_assessor=second)
        summary.assessments += 1
    homes = _homes(community, today, officer)
    summary.homes = len(homes)
    _home_activity(homes[0], today, _elders(community[:9], today, 40, min_age=80)[-5:])
    summary.orders = _services(officer, elders, community, town, today)
    month = first_of_month(today)
    xiaofei_enrol(acting_user=officer, month=month)
    summary.vouchers = vouchers_issue(acting_user=officer, month=month)
    for voucher in Voucher.objects.filter(month=month).order_by("pk")[:6]:
        order = voucher.person.care_orders.filter(status="delivered", redemption__isnull=True).first()
        if order is not None:
            voucher_redeem(acting_user=officer, voucher=voucher, order=order)
    _providers_paid(officer, community, month)
    # the community's older people first, then the town's (the district officer acts: a household has one plan,
    # and a small demo community may hold fewer than five households of older people)
    candidates = _elders(community, today, 100, min_age=60) + _elders(community[:9], today, 300, min_age=60)
    summary.adaptations = _adaptations(officer, candidates, today)
    summary.volunteers = _time_bank(worker, community, today, elders)


NEEDS = "卫生间无扶手，地面湿滑，夜间起床不便（演示）"
# 适老化改造: per plan, the stage it has reached; each step's form values (方案与费用, 验收意见, 补贴).
STEP_FIELDS = {"planned": {"plan": "卫生间加装扶手、铺设防滑地砖、床边加装护栏（演示）", "cost": Decimal("3600")},
               "works": {"note": "施工单位：渝安适老化装修公司（演示）"},
               "accepted": {"note": "扶手安装牢固，地面防滑，验收合格（演示）"},
               "subsidised": {"subsidy": Decimal("3000")}}


def _adaptations(worker: User, elders: list[Person], today: date) -> int:
    """One plan per stage, for elders in different households (a household has one plan)."""
    from registry.selectors import current_household_of

    made, households = 0, set()
    for person in elders:
        household = current_household_of(person)
        if made == len(STAGES) or household is None or household.pk in households:
            continue
        households.add(household.pk)
        reached = STAGES[made]
        on = today - timedelta(days=10 * (made + 1))
        plan = adaptation_start(acting_user=worker, person=person, on=on, needs=NEEDS)
        for stage in STAGES[1:STAGES.index(reached) + 1]:
            on += timedelta(days=7)
            plan = adaptation_advance(acting_user=worker, adaptation=plan, stage=stage, on=min(on, today),
                                      **STEP_FIELDS[stage])
        made += 1
    return made


def _time_bank(worker: User, community: str, today: date, elders: list[Person]) -> int:
    """Three volunteers (younger residents of the community, and one older person): hours earned and spent."""
    volunteers = list(Person.objects.filter(prefix_q("area_id", community), status=Person.Status.ACTIVE,
                                            birth_date__gt=years_before(today, 60),
                                            birth_date__lte=years_before(today, 18)).order_by("pk")[:2])
    volunteers += elders[:1]
    entries = [("8", "陪伴独居老人聊天、读报（演示）"), ("4", "代购生活用品（演示）"),
               ("-3", "兑换上门助洁服务（演示）")]
    for index, volunteer in enumerate(volunteers):
        for hours, note in entries[:index + 2]:
            time_bank_record(acting_user=worker, volunteer=volunteer, hours=Decimal(hours), note=note)
    return len(volunteers)


PAYEES = [("小龙坎居家养老服务中心（演示）", "52500106MJA00001", "重庆农村商业银行", "6228480000000100011"),
          ("覃家岗社区养老服务站（演示）", "52500106MJB00002", "中国工商银行", "6222020000000100022")]


def _providers_paid(officer: User, community: str, month: date) -> None:
    """Both demo providers with a 收款单位 and an account; this month's redemptions settled into this month's
    payment cycle when the payments demo left it open (generated, not approved)."""
    second = ServiceProvider.objects.filter(name=PAYEES[1][0]).first() or ServiceProvider.objects.create(
        name=PAYEES[1][0], area_id=community, phone="023-65000001")
    first = ServiceProvider.objects.filter(name=PAYEES[0][0]).first()
    for provider, (name, body, bank, number) in zip((first, second), PAYEES, strict=True):
        if provider is None or provider.payee_id:
            continue
        code = body + "0"
        payee = provider_payee_set(acting_user=officer, provider=provider, name=name,
                                   credit_code=code + uscc.calc_check_digit(code))
        organisation_account_register(acting_user=officer, organisation=payee, bank_name=bank, account_number=number)
    cycle = PaymentCycle.objects.filter(month=month, status__in=(PaymentCycle.Status.OPEN,
                                                                 PaymentCycle.Status.GENERATED)).first()
    if cycle is not None:
        vouchers_settle(acting_user=officer, cycle=cycle)


def _homes(community: str, today: date, officer: User) -> list[CareHome]:
    homes = []
    for name, public, beds, nursing, stars, fire in HOMES:
        homes.append(CareHome.objects.create(
            name=name, area_id=community, public=public, beds=beds, nursing_beds=nursing, star_rating=stars,
            fire_acceptance=fire, fire_acceptance_date=date(2023, 6, 1) if fire else None,
            custody_bank="重庆农村商业银行" if public else "", custody_account="6228000000000001" if public else "",
            staff_total=beds // 4, staff_carers=beds // 7))
    provider = User.objects.filter(username=PROVIDER_USERNAME).first() or user_create(
        username=PROVIDER_USERNAME, password=DEMO_PASSWORD, roles=[CARE_PROVIDER], area_code=community,
        full_name="福利院填报员（演示）")
    homes[0].providers.add(provider)
    return homes


def _home_activity(home: CareHome, today: date, residents: list[Person]) -> None:
    provider = home.providers.first()
    for level, person in enumerate(residents):
        resident_admit(acting_user=provider, home=home, person=person, care_level=level % 5,
                       on=today - timedelta(days=200 + level))
    monthly_report_submit(acting_user=provider, home=home, month=add_months(first_of_month(today), -1),
                          residents_by_level={"0": 30, "1": 40, "2": 35, "3": 30, "4": 25}, staff_total=50,
                          staff_carers=28, prepaid_balance=Decimal("865000.00"))
    answers = {code: code != "fire_exits" for code in SafetyChecklistItem.objects.values_list("code", flat=True)}
    safety_check_record(acting_user=provider, home=home, kind="daily", on=today, answers=answers,
                        hazards=[{"description": "二楼东侧安全出口堆放杂物", "deadline": today + timedelta(days=2)}])


def _services(officer: User, elders: list[Person], community: str, town: str, today: date) -> int:
    provider = ServiceProvider.objects.create(name="小龙坎居家养老服务中心（演示）", area_id=community,
                                              phone="023-65000000")
    meal = ServiceItem.objects.create(provider=provider, category="meal", name="老年助餐", price=Decimal("12"),
                                      unit="餐")
    bath = ServiceItem.objects.create(provider=provider, category="bath", name="上门助浴", price=Decimal("80"))
    care = ServiceItem.objects.create(provider=provider, category="care", name="上门生活照料（2小时）",
                                      price=Decimal("120"))
    for category, target in (("meal", 5000), ("bath", 600), ("care", 1200)):
        ServiceTarget.objects.get_or_create(town_id=town, year=today.year, category=category,
                                            defaults={"target": target})
    orders = 0
    for index, person in enumerate(elders[3:]):
        item = (care, bath, meal)[index % 3]
        order = service_order_create(acting_user=officer, person=person, item=item, on=today - timedelta(days=1),
                                     quantity=1 if item is not meal else 20)
        if index % 4 != 3:
            service_delivery_record(acting_user=officer, order=order, worker="王护理员",
                                    started_at=timezone.make_aware(datetime.combine(today, datetime.min.time()))
                                    + timedelta(hours=9), minutes=90)
        orders += 1
    return orders
