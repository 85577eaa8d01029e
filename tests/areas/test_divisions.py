"""全国区县名称 (areas.divisions): a 户籍地 anywhere in the country named and found by name; a division of the
district's own tree named by its path."""

import pytest

from areas.divisions import division_name, division_search

pytestmark = pytest.mark.django_db


def test_names_outside_the_tree_come_from_the_county_list():
    assert division_name("510107") == "四川省成都市武侯区"
    assert division_name("510107000000") == "四川省成都市武侯区"
    assert division_name("510107003000") == "四川省成都市武侯区"  # below 区县 outside the district: its 区县
    assert division_name("110101") == "北京市东城区"  # a municipality has no city level in the name
    assert division_name("999999") == ""


def test_names_inside_the_tree_are_its_path(areas):
    assert division_name(areas["district"]) == "重庆市沙坪坝区"
    town = division_name(areas["town_a"])
    assert town.startswith("重庆市沙坪坝区") and len(town) > len("重庆市沙坪坝区")
    assert division_name(areas["community_a"]).startswith(town)


def test_search_by_name_words_in_order_or_code():
    assert division_search("武侯")[0] == ("510107000000", "四川省成都市武侯区")
    assert division_search("成都 武侯")[0][1] == "四川省成都市武侯区"
    assert division_search("成都武侯")[0][1] == "四川省成都市武侯区"  # characters in order, no space
    assert all(code.startswith("5101") for code, _ in division_search("5101"))
    assert len(division_search("区", limit=5)) == 5 and division_search("  ") == []
    assert division_search("火星") == []
