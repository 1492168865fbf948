"""Fixtures of the web tests."""

import pytest

from tests.web.browser import chromium


@pytest.fixture
def browser():
    """A headless Chromium (skipped where it is not installed), closed after the test."""
    driver = chromium()
    yield driver
    driver.quit()
