"""Settings for the test suite: the project's settings in development mode.

Tests run over plain HTTP with the test client, like `make run`, so DEBUG=1 is set before the settings are read
(secure cookies and the HTTPS redirect stay off; pytest-django still runs each test with DEBUG False). The
production defaults themselves are tested in tests/web/test_production.py through a fresh `manage.py` process.
"""

import os

os.environ.setdefault("DEBUG", "1")

from minzheng.settings import *  # noqa: E402, F403
