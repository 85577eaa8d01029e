"""Division codes (区划代码): the one home of the 12-digit code arithmetic.

Kernel code: it imports nothing from the project (only a Django validator), so programmes, payments, reports,
APIs and the areas app itself use it without an import cycle. A 12-digit NBS code has five levels: 省级 (2
digits), 市级 (4), 区县 (6), 乡镇 (9) and 村社区 (12); the rest of a code above 村社区 is zeros.
"""

from django.core.validators import RegexValidator

AREA_CODE_VALIDATOR = RegexValidator(r"^[0-9]{12}$", "区划代码应为12位数字")
# A filter on a code prefix (a town's 9 digits lists the whole town).
AREA_PREFIX_VALIDATOR = RegexValidator(r"^[0-9]{1,12}$", "区划代码应为1至12位数字")
# Leading digits that identify a division at each level of a 12-digit code: 省级, 市级, 区县, 乡镇, 村社区.
AREA_PREFIX_LENGTHS = (2, 4, 6, 9, 12)
DISTRICT_PREFIX_LENGTH, TOWN_PREFIX_LENGTH, COMMUNITY_PREFIX_LENGTH = AREA_PREFIX_LENGTHS[2:]
CHONGQING = "500000000000"


def area_code_prefix(code: str) -> str:
    """The significant prefix of a 12-digit division code: 500000000000 → "50", 500106000000 → "500106"."""
    for length in AREA_PREFIX_LENGTHS:
        if set(code[length:]) <= {"0"}:
            return code[:length]
    return code


def area_ancestor_codes(code: str) -> list[str]:
    """The 12-digit codes of this division and every level above it, most specific first.

    500106001001 → [500106001001, 500106001000, 500106000000, 500100000000, 500000000000]. A parameter whose
    `area_code` is in this list applies to the division; the first one found is the most specific.
    """
    codes = [code[:length].ljust(12, "0") for length in reversed(AREA_PREFIX_LENGTHS)]
    return list(dict.fromkeys(codes))
