"""Reference tables for the demo district (演示数据): names, ages, households, money, as plain Python data.

The figures are rounded public statistics, good enough for a demo that looks like a real district:
- surnames: the most common surnames of the 2020 national household-registration report, with Chongqing's
  frequent ones (谭, 向, 冉, 熊) kept in;
- ages: the 2020 census pyramid (第七次全国人口普查) nudged toward Chongqing's older population (about 21% aged 60+);
- household types: census household sizes (average about 2.6 persons, many 2–3 person households, about one
  household in eight an elderly person living alone).
"""

from datetime import date

# The reference "today" of the demo: ages, death dates and income months are counted from it, so the same seed
# gives the same district whatever day the command runs.
REFERENCE_DATE = date(2026, 11, 1)

DEMO_PASSWORD = "Minzheng-2026!"

# (surname, relative frequency per mille)
SURNAMES: list[tuple[str, float]] = [
    ("王", 71), ("李", 70), ("张", 67), ("刘", 60), ("陈", 52), ("杨", 36), ("黄", 24), ("赵", 22), ("吴", 20),
    ("周", 19), ("徐", 15), ("孙", 14), ("马", 13), ("朱", 12), ("胡", 12), ("郭", 10), ("何", 12), ("林", 9),
    ("罗", 11), ("高", 8), ("郑", 7), ("梁", 7), ("谢", 7), ("宋", 6), ("唐", 8), ("许", 5), ("韩", 5), ("冯", 5),
    ("邓", 7), ("曹", 5), ("彭", 6), ("曾", 5), ("肖", 5), ("田", 5), ("董", 4), ("袁", 5), ("潘", 4), ("于", 4),
    ("蒋", 5), ("蔡", 4), ("余", 5), ("杜", 4), ("叶", 3), ("程", 4), ("苏", 3), ("魏", 3), ("吕", 3), ("丁", 3),
    ("任", 4), ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 2), ("钟", 3), ("谭", 5), ("陆", 2), ("汪", 2),
    ("范", 2), ("金", 2), ("石", 2), ("廖", 3), ("贾", 2), ("夏", 2), ("韦", 1), ("付", 3), ("方", 2), ("白", 2),
    ("邹", 2), ("孟", 2), ("熊", 3), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 1), ("闫", 1), ("段", 2),
    ("雷", 2), ("侯", 1), ("龙", 2), ("史", 1), ("陶", 2), ("黎", 2), ("贺", 2), ("顾", 1), ("毛", 2), ("郝", 1),
    ("龚", 2), ("邵", 1), ("万", 2), ("钱", 1), ("严", 1), ("覃", 1), ("武", 1), ("戴", 1), ("莫", 1), ("孔", 1),
    ("向", 3), ("汤", 1), ("冉", 2),
]

# Given-name characters by generation and sex: 建国 and 秀英 are older names, 子涵 and 欣怡 younger ones.
GIVEN_OLD_MALE = "国建华明军伟平德福贵祥荣志文东海兵成刚勇强忠良义林生才富发清正光先红云山金永全"
GIVEN_OLD_FEMALE = "秀英桂兰芳玉珍凤华萍红梅琼淑惠素芬丽霞美菊琴翠莲碧群春燕英敏蓉容"
GIVEN_NEW_MALE = "浩宇轩子豪然睿博涛杰鹏飞鑫超磊凯俊帆帅旭宁辰晨阳泽航烨皓铭锐文思成嘉峻楷"
GIVEN_NEW_FEMALE = "欣怡涵萱瑶琪璐婷雪梅慧莉倩颖佳雯晶妍悦彤诗梓若雨馨可心语琳丹洁蓉静娜"

# Age pyramid: (lowest age, highest age, share of the population in per mille) by five-year band.
AGE_BANDS: list[tuple[int, int, float]] = [
    (0, 4, 48), (5, 9, 58), (10, 14, 58), (15, 19, 50), (20, 24, 52), (25, 29, 60), (30, 34, 80), (35, 39, 66),
    (40, 44, 64), (45, 49, 78), (50, 54, 84), (55, 59, 72), (60, 64, 60), (65, 69, 56), (70, 74, 40),
    (75, 79, 25), (80, 84, 16), (85, 89, 9), (90, 99, 4),
]

# Household types: (code, weight in per cent of households). See generator.py for each type's members.
HOUSEHOLD_TYPES: list[tuple[str, float]] = [
    ("single_elderly", 12),
    ("single_adult", 13),
    ("elderly_couple", 11),
    ("couple", 9),
    ("nuclear", 32),
    ("three_generation_up", 8),
    ("three_generation_down", 8),
    ("single_parent", 5),
    ("siblings", 2),
]

MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
                   "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185", "186", "187",
                   "188", "189", "191", "199")

# Disability (残疾): categories with their digit on the 残疾人证 (certificate number = ID number + category + grade),
# shares from the second national sample survey of disability, and the grade shares (一级 most severe).
DISABILITY_CATEGORIES: list[tuple[str, int, float]] = [
    ("visual", 1, 14), ("hearing", 2, 24), ("speech", 3, 2), ("physical", 4, 30), ("intellectual", 5, 7),
    ("mental", 6, 8), ("multiple", 7, 15),
]
DISABILITY_GRADES: list[tuple[int, float]] = [(1, 12), (2, 20), (3, 28), (4, 40)]

# Chance of a disability by age, tuned so that about 6% of the demo population has one.
DISABILITY_RATE_BY_AGE: list[tuple[int, float]] = [(0, 0.013), (18, 0.044), (45, 0.077), (60, 0.11), (80, 0.19)]
