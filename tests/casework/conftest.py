"""The casework kernel tests share the assistance fixtures (the kernel's workflows are declared there)."""

from tests.assistance.conftest import api, clock, families, staff  # noqa: F401
