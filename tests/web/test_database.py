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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgresql_connections_come_from_a_bounded_pool():
    """Under ASGI, persistent per-thread connections piled up until PostgreSQL refused clients (HTTP 500s
    under 50 users): connections are lent by a pool per process and go back to it."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    assert connection.settings_dict["CONN_MAX_AGE"] == 0 and connection.pool is not None
    size = connection.pool.max_size

    def query(_):
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT 1")
        finally:
            connections.close_all()  # what Django does at the end of a request: back to the pool

    with ThreadPoolExecutor(size + 4) as threads:  # more threads than the pool holds
        list(threads.map(query, range(4 * size)))
    assert connection.pool.get_stats()["pool_size"] <= size
