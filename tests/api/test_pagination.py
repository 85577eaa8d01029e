"""KeysetPagination: the cursor is compared in the primary key's own type; a bad cursor is a 400."""

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.pagination import KeysetPagination
from areas.models import Area
from registry.models import Person

pytestmark = pytest.mark.django_db


def page(queryset, **params):
    paginator = KeysetPagination()
    rows = paginator.paginate_queryset(queryset, Request(APIRequestFactory().get("/api/x/", params)))
    return paginator, rows


def test_string_key_cursor(areas):
    codes = list(Area.objects.order_by("code").values_list("code", flat=True))
    paginator, rows = page(Area.objects.all(), after=codes[4], page_size="3")
    assert [a.code for a in rows] == codes[5:8]
    assert paginator.next_after == codes[7]


def test_integer_key_cursor(registry_data):
    people = sorted(p.pk for p in Person.objects.all())
    paginator, rows = page(Person.objects.all(), after=str(people[0]))
    assert [p.pk for p in rows] == people[1:]
    assert paginator.next_after is None


def test_last_page_has_no_next(registry_data):
    paginator, rows = page(Person.objects.all(), page_size="3")
    assert len(rows) == 3
    assert paginator.next_after is None


def test_page_size_is_capped(registry_data):
    paginator, rows = page(Person.objects.all(), page_size="100000000000000000000000")
    assert len(rows) == 3


@pytest.mark.parametrize("params, field", [
    ({"after": "abc"}, "after"),
    ({"after": "-1"}, "after"),
    ({"after": "99999999999999999999"}, "after"),
    ({"page_size": "0"}, "page_size"),
    ({"page_size": "-5"}, "page_size"),
    ({"page_size": "ten"}, "page_size"),
])
def test_bad_cursor_or_size_is_a_field_error(registry_data, params, field):
    with pytest.raises(ValidationError) as caught:
        page(Person.objects.all(), **params)
    assert list(caught.value.detail) == [field]
