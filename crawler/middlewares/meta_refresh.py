"""Meta refresh as a browser follows it: Scrapy's MetaRefreshMiddleware, except that a page whose refresh points
anywhere but http(s) is kept.

Scrapy builds the redirected Request before it checks the scheme, so `<meta http-equiv=refresh
content="0;url=javascript:…">` raises ValueError ("Missing scheme") and the page, with the listing read from it,
is lost — an evasion a counterfeiter can use at no cost, since browsers ignore such a refresh. Here a target that
is not http(s), or cannot be made into a request at all, leaves the response as it is; an http(s) target is
followed exactly as Scrapy does. Settings are Scrapy's: METAREFRESH_ENABLED, METAREFRESH_IGNORE_TAGS,
METAREFRESH_MAXDELAY. Installed in place of Scrapy's (priority 580). Stats: netsword/meta_refresh_ignored.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.utils.response import get_meta_refresh

logger = logging.getLogger(__name__)
FOLLOWED_SCHEMES = ("http", "https")


class MetaRefreshMiddleware(ScrapyMetaRefreshMiddleware):
    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        try:
            if isinstance(response, HtmlResponse) and not request.meta.get("dont_redirect", False):
                _, target = get_meta_refresh(response, ignore_tags=self._ignore_tags)  # cached per response
                if target and not _followable(target):
                    return self._ignore(response, target)
            return super().process_response(request, response)
        except ValueError:  # no request can be made of the target (w3lib or Scrapy refused it): stay on the page
            return self._ignore(response, "")

    def _ignore(self, response: Response, target: str) -> Response:
        self.crawler.stats.inc_value("netsword/meta_refresh_ignored")
        logger.debug("ignored the meta refresh of %s to %.100r", response.url, target)
        return response


def _followable(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in FOLLOWED_SCHEMES and bool(parts.netloc)
