"""Name search keys (姓名检索): full pinyin and initials from pypinyin, so 张三 is found by zhangsan or zs."""

from pypinyin import lazy_pinyin


def name_keys(name: str) -> tuple[str, str]:
    """(pinyin, initials), lower-case, without tones or spaces. Heteronyms take pypinyin's default reading."""
    syllables = lazy_pinyin(name or "", errors="ignore")
    pinyin = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return pinyin, initials
