"""Keyset pagination for the API: `?after=<id>` instead of OFFSET, and no COUNT(*) of the table."""

from rest_framework.pagination import BasePagination
from rest_framework.response import Response


class KeysetPagination(BasePagination):
    page_size = 50
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        try:
            after = int(request.query_params.get("after") or 0)
            size = min(int(request.query_params.get("page_size") or self.page_size), self.max_page_size)
        except ValueError:
            after, size = 0, self.page_size
        size = max(size, 1)
        if after:
            queryset = queryset.filter(pk__gt=after)
        rows = list(queryset.order_by("pk")[: size + 1])
        self.next_after = rows[size - 1].pk if len(rows) > size else None
        return rows[:size]

    def get_paginated_response(self, data):
        next_url = None
        if self.next_after is not None:
            next_url = self.request.build_absolute_uri(
                self.request.path + "?" + _with_after(self.request.query_params, self.next_after))
        return Response({"next": next_url, "results": data})

    def get_paginated_response_schema(self, schema):
        return {"type": "object", "required": ["results"],
                "properties": {"next": {"type": "string", "nullable": True, "format": "uri"}, "results": schema}}


def _with_after(params, after: int) -> str:
    query = params.copy()
    query["after"] = str(after)
    return query.urlencode()
