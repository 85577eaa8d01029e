"""Import schemas (导入模板) by key. Other apps add theirs with `schema_register` in their `ready()`."""

from django.core.exceptions import ValidationError

from imports.schemas.base import CellError, Column, Context, Schema
from imports.schemas.person_facts import SCHEMA as PERSON_FACTS
from imports.schemas.persons_households import SCHEMA as PERSONS_HOUSEHOLDS

_SCHEMAS: dict[str, Schema] = {}


def schema_register(schema: Schema) -> Schema:
    _SCHEMAS[schema.key] = schema
    return schema


def schema_get(key: str) -> Schema:
    try:
        return _SCHEMAS[key]
    except KeyError:
        raise ValidationError({"schema": [f"未知的导入模板：{key}"]}) from None


def schema_choices() -> list[tuple[str, str]]:
    return [(s.key, s.title) for s in _SCHEMAS.values()]


schema_register(PERSONS_HOUSEHOLDS)
schema_register(PERSON_FACTS)

__all__ = ["CellError", "Column", "Context", "Schema", "schema_choices", "schema_get", "schema_register"]
