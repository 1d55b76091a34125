"""Scrapy extensions: the per-crawl NetSword runtime and the stats file."""
