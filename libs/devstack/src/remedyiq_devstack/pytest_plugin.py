"""pytest fixtures for tests that need RemedyIQ's real servers.

Loaded through the ``pytest11`` entry point. Importing it starts nothing: each server starts
the first time a test asks for its fixture, once per session, and a server that cannot start
makes the requesting tests *error* (never skip). Per-test fixtures isolate tests from each
other on the shared servers:

* ``nats_url`` + ``nats_prefix``: a unique prefix for stream names and subjects;
* ``pg_dsn``: a fresh database, dropped afterwards;
* ``redis_url`` / ``redis_db`` / ``redis_key_prefix``: an empty database of its own;
* ``s3_bucket``: a fresh bucket on moto, emptied and deleted afterwards.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Iterator

import pytest

from remedyiq_devstack.nats_server import NatsServer
from remedyiq_devstack.postgres_server import PostgresServer
from remedyiq_devstack.redis_server import RedisServer
from remedyiq_devstack.s3 import S3Endpoint
from remedyiq_devstack.s3_moto import MotoS3Server

REDIS_DATABASES = 64

_redis_dbs = itertools.cycle(range(1, REDIS_DATABASES))  # db 0 is left to session-wide use
_redis_lock = threading.Lock()


def unique_name(prefix: str = "t") -> str:
    """A short unique name usable as a stream, database, bucket or key prefix."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


# -- session-scoped servers -------------------------------------------------------------------


@pytest.fixture(scope="session")
def nats_server() -> Iterator[NatsServer]:
    """A NATS server with JetStream, shared by the session (tests may ``restart()`` it)."""
    with NatsServer() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server shared by the session; use ``pg_dsn`` for a database of your own."""
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A Redis server shared by the session; use ``redis_url`` for a database of your own."""
    with RedisServer(databases=REDIS_DATABASES) as server:
        yield server


@pytest.fixture(scope="session")
def s3_server() -> Iterator[MotoS3Server]:
    """moto's S3, in-process, shared by the session; use ``s3_bucket`` for isolation."""
    with MotoS3Server() as server:
        yield server


# -- per-test isolation -------------------------------------------------------------------


@pytest.fixture
def nats_url(nats_server: NatsServer) -> str:
    """URL of the session's NATS server (unchanged by a restart)."""
    return nats_server.url


@pytest.fixture
def nats_prefix() -> str:
    """A unique prefix for this test's stream names and subjects, e.g. ``t1a2b3c4d5e6f``.

    Use it as ``f"{nats_prefix}_JOBS"`` for a stream and ``f"{nats_prefix}.jobs.>"`` for its
    subjects; it is valid in both.
    """
    return unique_name()


@pytest.fixture
def pg_dsn(postgres_server: PostgresServer) -> Iterator[str]:
    """Superuser DSN of a fresh database, dropped (with its connections) after the test."""
    name = unique_name()
    dsn = postgres_server.create_database(name)
    yield dsn
    postgres_server.drop_database(name)


@pytest.fixture
def redis_db(redis_server: RedisServer) -> Iterator[int]:
    """A Redis database number, empty at the start of the test and flushed afterwards."""
    with _redis_lock:
        db = next(_redis_dbs)
    redis_server.flushdb(db)
    yield db
    redis_server.flushdb(db)


@pytest.fixture
def redis_url(redis_server: RedisServer, redis_db: int) -> str:
    """``redis://`` URL of this test's own (empty) database."""
    return redis_server.url_for_db(redis_db)


@pytest.fixture
def redis_key_prefix() -> str:
    """A unique key prefix, for code that must use database 0."""
    return unique_name() + ":"


@pytest.fixture
def s3_endpoint(s3_server: MotoS3Server) -> S3Endpoint:
    """URL, credentials and region of the session's S3 server."""
    return s3_server.endpoint


@pytest.fixture
def s3_bucket(s3_server: MotoS3Server) -> Iterator[str]:
    """A fresh, empty bucket, deleted with its objects after the test."""
    name = s3_server.create_bucket(unique_name("t-"))
    yield name
    s3_server.delete_bucket(name)
