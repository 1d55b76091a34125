"""The fetch policy's checks (netsword.fetch_policy), case by case: schemes, allowed hosts and ports, every kind of
non-public address in every spelling, redirects from public to private, redirect counts, sizes, and log lines that
name no secret. No network: names are resolved only for `localhost`."""

from __future__ import annotations

import pickle
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from crawler.middlewares.fetch_policy import profiles_policy
from crawler.profile_loader import ProfileError, load_profile, parse_profile
from netsword.fetch_policy import FetchPolicy, check_fetch, ip_literal, non_public, redact

SITE = FetchPolicy(hosts=("127.0.0.1:8471", "shop.example"), private_hosts=("127.0.0.1:8471",))
ANY = FetchPolicy(any_host=True)

# (policy, url, expected refusal reason or "" for allowed, why)
CASES = [
    (SITE, "http://127.0.0.1:8471/item/1?token=x", "", "the profile's own host, private allowed by the profile"),
    (SITE, "http://127.0.0.1:6379/", "host", "the same loopback host on another port (Redis) is not the profile's"),
    (SITE, "http://2130706433:8471/item/1", "", "decimal 127.0.0.1 is the same host"),
    (SITE, "http://0x7f.1:8471/", "", "hex and short forms too"),
    (SITE, "http://0177.0.0.01:6379/", "host", "octal 127.0.0.1, other port"),
    (SITE, "https://shop.example/item/1", "", "an allowed name"),
    (SITE, "https://m.shop.example/item/1", "", "its subdomains, as Scrapy's allowed_domains"),
    (SITE, "https://shop.example:8443/", "host", "a name without a port in the profile: 80 and 443 only"),
    (SITE, "https://evilshop.example/", "host", "not a subdomain"),
    (SITE, "http://169.254.169.254/latest/meta-data/", "host", "cloud metadata: not an allowed host"),
    (SITE, "file:///etc/passwd", "scheme", "file"),
    (SITE, "javascript:alert(1)", "scheme", "javascript"),
    (SITE, "ftp://shop.example/", "scheme", "ftp"),
    (SITE, "gopher://shop.example/", "scheme", "gopher"),
    (SITE, "http://[::1]:8471/", "host", "IPv6 loopback is another host"),
    (ANY, "http://8.8.8.8/", "", "a public address"),
    (ANY, "http://[2606:4700::1111]/", "", "a public IPv6 address"),
    (ANY, "http://10.0.0.1/", "private_address", "RFC 1918"),
    (ANY, "http://172.16.5.4/", "private_address", "RFC 1918"),
    (ANY, "http://192.168.1.1/", "private_address", "RFC 1918"),
    (ANY, "http://127.0.0.1/", "private_address", "loopback"),
    (ANY, "http://127.1/", "private_address", "loopback, short form"),
    (ANY, "http://2130706433/", "private_address", "loopback, decimal"),
    (ANY, "http://0x7f000001/", "private_address", "loopback, hex"),
    (ANY, "http://017700000001/", "private_address", "loopback, octal"),
    (ANY, "http://10.1/", "private_address", "10.0.0.1, short form"),
    (ANY, "http://169.254.169.254/", "private_address", "link-local (cloud metadata)"),
    (ANY, "http://0.0.0.0/", "private_address", "unspecified"),
    (ANY, "http://0/", "private_address", "unspecified, decimal"),
    (ANY, "http://224.0.0.1/", "private_address", "multicast"),
    (ANY, "http://240.0.0.1/", "private_address", "reserved"),
    (ANY, "http://100.64.0.1/", "private_address", "carrier-grade NAT"),
    (ANY, "http://[::1]/", "private_address", "IPv6 loopback"),
    (ANY, "http://[::]/", "private_address", "IPv6 unspecified"),
    (ANY, "http://[fe80::1%25eth0]/", "private_address", "IPv6 link-local with a zone"),
    (ANY, "http://[fc00::1]/", "private_address", "IPv6 unique local"),
    (ANY, "http://[ff02::1]/", "private_address", "IPv6 multicast"),
    (ANY, "http://[::ffff:127.0.0.1]/", "private_address", "IPv4-mapped loopback"),
    (ANY, "http://[::ffff:a9fe:a9fe]/", "private_address", "IPv4-mapped metadata address"),
    (ANY, "http://[64:ff9b::a00:1]/", "private_address", "NAT64 of 10.0.0.1"),
    (ANY, "http://[2002:a00:1::]/", "private_address", "6to4 of 10.0.0.1"),
    (ANY, "http://127.0.0.1./", "private_address", "trailing dot"),
    (FetchPolicy(), "https://shop.example/", "host", "no hosts at all: nothing"),
]


@pytest.mark.parametrize(("policy", "url", "reason", "why"), CASES, ids=[c[3] for c in CASES])
def test_url_checks(policy: FetchPolicy, url: str, reason: str, why: str) -> None:
    refusal = policy.check_url(url)
    assert (refusal.reason if refusal else "") == reason, why


def test_a_name_is_judged_by_every_address_it_resolves_to() -> None:
    policy = FetchPolicy(hosts=("localhost:8000",))
    assert policy.name_to_resolve("http://localhost:8000/") == "localhost"
    refusal, addresses = check_fetch(policy, "http://localhost:8000/x?key=secret")
    assert refusal is not None and refusal.reason == "private_address" and addresses
    assert refusal.stat == "netsword/fetch_refused/private_address"
    assert policy.check_addresses("http://localhost:8000/", ["93.184.216.34", "10.0.0.7"]) is not None  # one bad
    assert policy.check_addresses("http://localhost:8000/", ["93.184.216.34"]) is None
    allowed = FetchPolicy(hosts=("localhost:8000",), private_hosts=("localhost:8000",))
    assert allowed.name_to_resolve("http://localhost:8000/") == ""  # allowed private: nothing to look up


def test_a_public_page_never_leads_to_a_private_host() -> None:
    """Even the private host a (demo) profile allows is refused when reached from a public page or by its redirect."""
    policy = FetchPolicy(hosts=("127.0.0.1:8471", "shop.example"), private_hosts=("127.0.0.1:8471",))
    assert policy.check_url("http://127.0.0.1:8471/x", origin="https://shop.example/item/1").reason == "private_address"
    assert policy.check_url("http://127.0.0.1:8471/x", origin="http://127.0.0.1:8471/y") is None
    assert policy.check_url("http://127.0.0.1:8471/x") is None
    # a sub-resource: any public host, no private one the page's host is not
    assert policy.check_url("https://cdn.example/a.png", resource=True, origin="http://127.0.0.1:8471/") is None
    assert policy.check_url("http://127.0.0.1:9/a.png", resource=True, origin="http://127.0.0.1:8471/").reason == (
        "private_address"
    )
    assert policy.check_url("data:image/png;base64,AAAA", resource=True) is None
    assert policy.check_url("file:///etc/passwd", resource=True).reason == "scheme"


def test_redirect_count_and_size_caps() -> None:
    assert SITE.check_redirects("http://127.0.0.1:8471/", 5) is None
    assert SITE.check_redirects("http://127.0.0.1:8471/", 6).reason == "redirects"
    policy = FetchPolicy(any_host=True, max_bytes=1024)
    assert policy.check_size("http://x.example/", 1024) is None
    assert policy.check_size("http://x.example/", 1025).reason == "too_large"
    assert policy.check_size("http://x.example/", 5000, limit=8000) is None


def test_messages_name_no_secret() -> None:
    refusal = ANY.check_url("http://user:hunter2@10.0.0.1/cb?api_key=SECRET#frag")
    assert refusal is not None and "hunter2" not in refusal.message and "SECRET" not in refusal.message
    assert refusal.message.startswith("http://10.0.0.1/cb: ")
    assert "\n" not in redact("http://x.example/a\nb") and redact("http://x.example/" + "a" * 500).endswith("…")


def test_address_parsing_and_kinds() -> None:
    assert str(ip_literal("0x7f.0.0.1")) == "127.0.0.1"
    assert str(ip_literal("[::1]")) == "::1"
    assert ip_literal("deadbeef") is None and ip_literal("shop.example") is None
    assert non_public(ip_literal("8.8.8.8")) == ""  # type: ignore[arg-type]
    assert non_public(ip_literal("::ffff:10.0.0.1")) == "private"  # type: ignore[arg-type]


def test_policies_travel_in_meta_and_across_processes() -> None:
    assert pickle.loads(pickle.dumps(SITE)) == SITE
    assert pickle.loads(pickle.dumps(SITE)).check_url("http://127.0.0.1:6379/").reason == "host"


def test_the_profile_key_and_the_demo_profiles() -> None:
    for name in ("demo-static", "demo-api", "demo-feed", "demo-feed-csv", "demo-browser"):
        assert load_profile(name).allow_private_addresses, name
    assert not load_profile("taobao-search").allow_private_addresses
    text = "version: 1\nplatform: p\nbase_url: http://127.0.0.1:9/\nsearch: {url: /s, items: li}\n"
    assert not parse_profile(text).allow_private_addresses
    assert parse_profile(text + "allow_private_addresses: true\n").allow_private_addresses
    with pytest.raises(ProfileError, match=r"<profile>:5: allow_private_addresses: must be true or false"):
        parse_profile(text + "allow_private_addresses: yes please\n")
    # The operator's --base-url names one host: it may be private, the profile's other hosts keep their rule.
    moved = load_profile("taobao-search").with_base_url("http://10.1.2.3:8080")
    policy = profiles_policy([moved, load_profile("jd-search")], max_bytes=1024, timeout=5)
    assert policy.check_url("http://10.1.2.3:8080/search") is None
    assert policy.private_hosts == ("10.1.2.3:8080",)


def test_recheck_and_its_job_read_the_page_cap_from_the_configuration(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:  # fmt: skip
    import crawler.run
    from netsword.cli import main
    from scheduler.jobs import RecheckOptions
    from scheduler.recheck import recheck_args

    seen: list[dict[str, Any]] = []

    def run_spider(spidercls: Any, kwargs: dict[str, Any], settings: Any) -> Any:
        seen.append(kwargs)
        return SimpleNamespace(stats={"finish_reason": "finished"})

    monkeypatch.setattr(crawler.run, "run_spider", run_spider)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("NETSWORD_CRAWLER_MAX_PAGE_BYTES", "65536")
    assert main(["recheck", "--no-alerts"]) == 0
    assert main(["recheck", "--no-alerts", "--max-bytes", "4096"]) == 0
    assert [k["max_bytes"] for k in seen] == [65536, 4096]
    args = recheck_args(RecheckOptions(), stats_file=tmp_path / "s.json", time_limit=60)
    assert args[args.index("--max-bytes") + 1] == "0"  # a job without max_bytes: the child's crawler.max_page_bytes
