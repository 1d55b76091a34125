"""A Redis client for the distributed crawl, from `[distributed]` (or a URL given on the command line)."""

from __future__ import annotations

from typing import Any

import redis

from netsword.config import Config

# scrapy-redis's REDIS_PARAMS, with our timeouts: a worker must notice a dead server, not hang on it
CLIENT_PARAMS: dict[str, Any] = {"socket_timeout": 30, "socket_connect_timeout": 10, "retry_on_timeout": True}


class RedisUnavailable(RuntimeError):
    pass


def redis_url(cfg: Config, override: str = "") -> str:
    url = override or cfg.distributed.redis_url
    if not url:
        raise RedisUnavailable(
            "no Redis: set distributed.redis_url (NETSWORD_DISTRIBUTED_REDIS_URL), or give --redis-url, or let "
            "`netsword crawl --distributed --workers N` start a private redis-server"
        )
    return url


def client_params(cfg: Config) -> dict[str, Any]:
    params = dict(CLIENT_PARAMS)
    if cfg.distributed.redis_password:
        params["password"] = cfg.distributed.redis_password
    return params


def connect(cfg: Config, override: str = "") -> redis.Redis:
    """A client that has answered PING; RedisUnavailable (one line) when it cannot."""
    url = redis_url(cfg, override)
    try:
        client = redis.Redis.from_url(url, **client_params(cfg))
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise RedisUnavailable(f"Redis at {url}: {exc}") from None
    return client
