from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


try:  # browser tests: Playwright's expect() waits 5 s by default, too short for a loaded 2-core machine
    from playwright.sync_api import expect as _expect

    _expect.set_options(timeout=15_000)
except ImportError:
    pass
