"""WorkerLeadPipeline: in a worker, in the lead pipeline's place. The listing is already with the writer (the
handoff); this pipeline only tells the evidence pipeline which leads a listing without a capture will have, from the
match index (pure: nothing is stored here), so the worker that holds the page keeps it as evidence.

A listing that is not a valid Listing is dropped here (the writer reports it as rejected). Evidence files go to the
content-addressed evidence store (`paths.evidence_dir`, shared by all workers): two workers keeping the same bytes
write the same file name, each through a temporary file and an atomic rename.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.extensions.runtime import runtime_of
from evidence.store import EvidenceStore
from leads.process import find_leads
from netsword.models import Listing, ListingError, utc_now


class WorkerLeadPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.runtime = runtime_of(crawler)
        self.evidence: EvidenceStore | None = None
        if crawler.settings.getbool("NETSWORD_EVIDENCE"):
            self.evidence = EvidenceStore.for_config(self.runtime.cfg)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerLeadPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        data = dict(item["listing"])
        data.setdefault("crawled_at", utc_now())
        try:
            listing = Listing.from_dict(data)
        except ListingError as exc:
            raise DropItem(f"bad listing (the writer counts it): {exc}") from None
        item["new_leads"] = []
        if self.evidence is not None and not self.evidence.has_capture(listing.platform, listing.id):
            leads = find_leads(listing, self.runtime.index, min_score=self.runtime.cfg.matching.min_score)
            item["new_leads"] = [lead.lead_id for lead in leads]
        return item

    def close_spider(self) -> None:
        if self.evidence is not None:
            self.evidence.close()
