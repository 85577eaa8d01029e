"""OpenAPI post-processing: keep the published schema the same whichever database generated it.

Django gives integer fields the value range of the connected database (SQLite 64-bit, PostgreSQL 16/32-bit), and
drf-spectacular copies it into the schema as `maximum`/`minimum`/`format: int64`. Those bounds describe the
storage engine, not the contract, so they are dropped; bounds a model or serializer sets itself (other values,
e.g. `minimum: 0` of positive fields) stay.
"""

BACKEND_BOUNDS = {
    9223372036854775807, -9223372036854775808, 2147483647, -2147483648, 32767, -32768,
}


def drop_database_integer_bounds(result, generator, request, public):
    _walk(result)
    return result


def _walk(node) -> None:
    if isinstance(node, dict):
        for key in ("maximum", "minimum"):  # also on enum-typed integers, which carry no "type"
            if node.get(key) in BACKEND_BOUNDS:
                del node[key]
        if node.get("type") == "integer" and node.get("format") == "int64":
            del node["format"]
        for value in node.values():
            _walk(value)
    elif isinstance(node, list):
        for value in node:
            _walk(value)
