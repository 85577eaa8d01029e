import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api(personas):
    def client_for(role: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(personas[role])
        return client

    return client_for
