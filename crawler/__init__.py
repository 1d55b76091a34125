"""NetSword's Scrapy project: one profile-driven marketplace spider, its middlewares, pipelines and profiles."""
