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


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory):
    """The demo corpus generated and built into a database once per session (~25 s): shared by
    tests/test_demo.py and tests/test_assess.py."""
    from gongkai.demo import generate as G
    from gongkai.demo.build import build_demo

    root = tmp_path_factory.mktemp("demo")
    calls: list[tuple[float, str]] = []
    result = build_demo(root / "gongkai.duckdb", progress=lambda f, m: calls.append((f, m)), out=root / "demo")
    return {"root": root, "result": result, "progress": calls, "db": root / "gongkai.duckdb",
            "out": root / "demo", "key": G.load_answer_key(root / "demo")}
