"""Helpers for organisation payees (收款单位): a valid 统一社会信用代码 computed here from GB 32100-2015 (RULES.md:
31-character set without I O S V Z, weights 1,3,9,…,28, check = (31 − Σ mod 31) mod 31), independent of the
library the service validates with."""

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(body: str) -> str:
    """`body`: the first 17 characters (e.g. 52 = 民政·民办非企业, 500106 = 沙坪坝区, then the 主体标识码)."""
    assert len(body) == 17
    total = sum(CHARSET.index(c) * w for c, w in zip(body, WEIGHTS, strict=True))
    return body + CHARSET[(31 - total % 31) % 31]
