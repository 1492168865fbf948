import os

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db


def test_it_runs_on_the_configured_database():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"
    assert connection.vendor == expected


def test_it_has_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_migrations_created_the_tables():
    tables = set(connection.introspection.table_names())
    assert {"ops_workerheartbeat", "auth_user", "django_session"} <= tables
