"""The Scrapy project's settings (scrapy.cfg names this module): the spiders, and the NetSword add-on, which puts
every NetSword setting in place (crawler/addon.py; the values it sets are in crawler/defaults.py).

`netsword crawl` starts from this module too (crawler/run.py), so it and `scrapy crawl marketplace -a profile=…`
run with the same settings.
"""

BOT_NAME = "netsword"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
ADDONS = {"crawler.addon.NetSwordAddon": 0}
LOG_LEVEL = "INFO"  # logging is set up for the whole process before any add-on runs
# A process setting (Scrapy installs the resolver before any add-on runs): names are checked against the fetch
# policy at the address Scrapy connects to, so a host cannot resolve to a private address after it was checked.
TWISTED_DNS_RESOLVER = "crawler.middlewares.fetch_policy.PolicyResolver"
