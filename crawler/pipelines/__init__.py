"""Item pipelines of the NetSword crawler: listings to leads, then evidence for new leads."""
