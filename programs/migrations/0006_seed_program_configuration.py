"""Seed the configuration of the five social-assistance programmes on their rows, with the values the code held
until now (assistance.workflows PROGRAMS / NAMES / START_MONTH / QUOTE_INPUTS, the legal basis of
assistance.documents, the ceilings of payments.checks). An officer's later edit in the admin is kept: only an
empty field is filled."""

from django.db import migrations

INTERIM = "《社会救助暂行办法》"
NO_CASH = {"per_person": {}, "fixed": [], "label": "身份认定，不发放现金"}
CONFIGURATION = {
    "dibao": {
        "workflow": "assistance", "application_name": "最低生活保障", "start_month": "variant", "quote_inputs": [],
        "legal_basis": f"{INTERIM}第九条至第十三条、《最低生活保障审核确认办法》第二十条至第二十三条",
        "legal_basis_chongqing": "《重庆市城乡居民最低生活保障条例》第二十二条",
        "ceiling": {"per_person": {"urban": "standard_urban", "rural": "standard_rural"}, "fixed": [],
                    "label": "低保标准 × 在户人数"},
    },
    "tekun": {
        "workflow": "assistance_tekun", "application_name": "特困人员救助供养", "start_month": "next",
        "quote_inputs": ["care_level", "no_supporter"],
        "legal_basis": f"{INTERIM}第十四条至第十九条、《特困人员认定办法》",
        "ceiling": {"per_person": {}, "fixed": ["tekun_standard", "care_full"], "label": "特困基本生活标准 + 全护理补贴"},
    },
    "dibao_bianyuan": {
        "workflow": "assistance", "application_name": "低保边缘家庭认定", "start_month": "approval", "quote_inputs": [],
        "legal_basis": "《最低生活保障审核确认办法》第八条、国办发〔2023〕39号", "ceiling": NO_CASH,
    },
    "gangxing_zhichu": {
        "workflow": "assistance", "application_name": "刚性支出困难家庭认定", "start_month": "approval",
        "quote_inputs": ["rigid_expenditure", "income_12m"],
        "legal_basis": "《刚性支出困难家庭认定办法》（民发〔2024〕57号）", "ceiling": NO_CASH,
    },
    "linshi": {
        "workflow": "assistance_urgent", "application_name": "临时救助", "start_month": "approval",
        "quote_inputs": ["linshi_kind", "amount"], "legal_basis": f"{INTERIM}第四十七条至第五十条", "ceiling": {},
    },
}
DEFAULT_START = "approval"


def seed(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    for program in Program.objects.filter(code__in=CONFIGURATION):
        changed = []
        for field, value in CONFIGURATION[program.code].items():
            current = getattr(program, field)
            empty = current in ("", [], {}, None) or (field == "start_month" and current == DEFAULT_START)
            if empty and current != value:
                setattr(program, field, value)
                changed.append(field)
        if changed:
            program.save(update_fields=changed)


def unseed(apps, schema_editor):
    """The fields are dropped by the schema migration before; nothing to keep."""


class Migration(migrations.Migration):
    dependencies = [("programs", "0005_program_configuration")]
    operations = [migrations.RunPython(seed, unseed)]
