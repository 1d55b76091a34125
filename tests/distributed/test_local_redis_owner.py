"""One private redis-server per directory: a second `netsword crawl --distributed --workers` on the same var_dir
started a second server on the same socket and append-only file, took the socket over, and the first command's run
ended `stopped` with a listing lost (seen live). The second start is now refused with one line saying what to do,
and the first server goes on with its data."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from netsword.redis_server import ensure_redis_server, start_local_redis


def test_a_second_private_server_in_the_same_directory_is_refused(tmp_path: Path) -> None:
    ensure_redis_server()
    where = tmp_path / "redis"
    with start_local_redis(where) as first:
        client = redis.Redis.from_url(first.url)
        client.set("kept", "yes")
        with pytest.raises(RuntimeError, match=r"another process's private redis-server runs in .*once it has ended"):
            start_local_redis(where)
        assert client.get("kept") == b"yes" and first.process.poll() is None  # untouched
        client.close()
    with start_local_redis(where) as again:  # once the first one stopped, the directory is free (its data kept)
        client = redis.Redis.from_url(again.url)
        assert client.get("kept") == b"yes"
        client.close()
