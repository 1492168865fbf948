"""Fixtures of the web tests."""

import pytest

from tests.web.browser import LiveStack, chromium


@pytest.fixture
def browser():
    """A headless Chromium (skipped where it is not installed), closed after the test."""
    driver = chromium()
    yield driver
    driver.quit()


@pytest.fixture
def web(test_database_url, tmp_path):
    """The app served by `manage.py serve` on the test database, without workers (pages only)."""
    app = LiveStack(test_database_url, tmp_path / "serve.log", worker=False)
    yield app
    app.stop()
