"""Distributed crawling on Redis with scrapy-redis: any number of workers share one request queue and duplicate filter
per platform, and one writer stores what they find (docs/distributed.md).

- `keys`: the Redis keys of a platform; `connection`: a client from `[distributed]`.
- `serializer`: requests as JSON (never pickle: nothing read from Redis is executed).
- `queue`: the reliable request queue (a claim per request in flight, returned to the queue when its worker dies).
- `scheduler`, `spider`, `handoff`: the worker side (a scrapy-redis scheduler and a thin RedisMixin spider).
- `writer`: the one process that stores (the crawl's own lead path) and keeps the run's ledger.
- `run`: a distributed run: seeds pushed, followed until drained, its status; `local`: a private Redis, workers and a
  writer as children of one command.
"""
