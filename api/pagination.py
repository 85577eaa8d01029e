"""Keyset pagination for the API: `?after=<key>` instead of OFFSET, and no COUNT(*) of the table.

The cursor is the last primary key of the previous page. Keys are compared in the model's own type, so it
works for integer ids (人员, 家庭) and for string keys alike (区划代码, 收入类别代码).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response


class KeysetPagination(BasePagination):
    page_size = 50
    max_page_size = 500
    after_query_param = "after"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self._page_size(request)
        after = self._cursor(queryset, request)
        if after is not None:
            queryset = queryset.filter(pk__gt=after)
        rows = list(queryset.order_by("pk")[: size + 1])
        self.next_after = rows[size - 1].pk if len(rows) > size else None
        return rows[:size]

    def _page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()):
            raise ValidationError({self.page_size_query_param: ["page_size（每页条数）应为正整数"]})
        # Anything longer than nine digits is past the maximum anyway; int() of it need not be computed.
        size = int(raw) if len(raw) <= 9 else self.max_page_size
        if size < 1:
            raise ValidationError({self.page_size_query_param: ["page_size（每页条数）应为正整数"]})
        return min(size, self.max_page_size)

    def _cursor(self, queryset, request):
        """The `after` key converted to the primary key's type; a key that cannot be one is a 400, not a 500."""
        raw = request.query_params.get(self.after_query_param)
        if not raw:
            return None
        pk_field = queryset.model._meta.pk
        try:
            value = pk_field.to_python(raw)
        except DjangoValidationError:
            value = None
        # The length bound keeps an absurd integer from overflowing the database's bigint.
        if value is None or len(raw) > 40 or (isinstance(value, int) and not 0 <= value < 2**63):
            raise ValidationError({self.after_query_param: ["after（翻页游标）不正确，请使用上一页返回的 next 链接"]})
        return value

    def get_paginated_response(self, data):
        next_url = None
        if self.next_after is not None:
            next_url = self.request.build_absolute_uri(
                self.request.path + "?" + _with_after(self.request.query_params, self.next_after))
        return Response({"next": next_url, "results": data})

    def get_paginated_response_schema(self, schema):
        return {"type": "object", "required": ["results"],
                "properties": {"next": {"type": "string", "nullable": True, "format": "uri",
                                        "description": "下一页的地址；没有下一页时为 null"},
                               "results": schema}}

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.after_query_param, "in": "query", "required": False, "schema": {"type": "string"},
             "description": "翻页游标：上一页最后一条记录的主键（取自 next 链接）"},
            {"name": self.page_size_query_param, "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
             "description": f"每页条数，默认 {self.page_size}，最多 {self.max_page_size}"},
        ]


def _with_after(params, after) -> str:
    query = params.copy()
    query["after"] = str(after)
    return query.urlencode()
