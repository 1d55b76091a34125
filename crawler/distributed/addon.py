"""WorkerAddon: after the NetSword add-on, turns a crawl into a scrapy-redis worker of its platform.

The scheduler, reliable queue, duplicate filter and seed list are scrapy-redis's, on the platform's keys
(crawler.distributed.keys) in the Redis that `NETSWORD_REDIS_URL` (else `distributed.redis_url`) names; requests are
kept as JSON; the lead pipeline gives way to the worker's (the writer stores); the handoff middleware and the worker
link are added. Alerts are the writer's to queue, never a worker's.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

from crawler.distributed.connection import client_params, redis_url
from crawler.distributed.handoff import HandoffMiddleware, WorkerLink
from crawler.distributed.keys import Keys
from crawler.distributed.pipeline import WorkerLeadPipeline
from crawler.pipelines.leads import LeadPipeline
from crawler.profile_loader import load_profile
from netsword.config import load_config


class WorkerAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        cfg = load_config(settings.get("NETSWORD_CONFIG_FILE") or None)
        keys = Keys(cfg.distributed.key_prefix, load_profile(settings["NETSWORD_PROFILE"]).platform)
        settings.update(
            {
                "SCHEDULER": "crawler.distributed.scheduler.WorkerScheduler",
                "SCHEDULER_QUEUE_CLASS": "crawler.distributed.queue.ReliableQueue",
                "SCHEDULER_QUEUE_KEY": keys.queue,
                "SCHEDULER_DUPEFILTER_KEY": keys.seen,
                "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
                "SCHEDULER_SERIALIZER": "crawler.distributed.serializer",
                "SCHEDULER_PERSIST": True,
                "REDIS_URL": redis_url(cfg, settings.get("NETSWORD_REDIS_URL") or ""),
                "REDIS_PARAMS": client_params(cfg),
                "REDIS_START_URLS_KEY": keys.seeds,
            },
            priority="addon",
        )
        settings.set("NETSWORD_ALERTS", False, priority="cmdline")
        settings.set_in_component_priority_dict("ITEM_PIPELINES", LeadPipeline, None)
        settings.set_in_component_priority_dict("ITEM_PIPELINES", WorkerLeadPipeline, 300)
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", HandoffMiddleware, 5)
        settings.set_in_component_priority_dict("EXTENSIONS", WorkerLink, 150)
