"""A real redis-server (Debian's, started on a unix socket in the test's directory) for the distributed tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from netsword.redis_server import LocalRedis, ensure_redis_server, start_local_redis


@pytest.fixture
def local_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRedis]:
    ensure_redis_server()  # installs Debian's package as `make test` does, when missing and allowed
    where = Path(tmp_path_factory.mktemp("redis", numbered=True))
    with start_local_redis(where) as server:
        yield server


@pytest.fixture
def client(local_redis: LocalRedis) -> Iterator[redis.Redis]:
    server = redis.Redis.from_url(local_redis.url)
    yield server
    server.close()
