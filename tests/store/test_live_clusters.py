"""The live halves of the shared store suite: each is skipped, naming the variable that turns it on, unless that
variable is set, and reads its cluster's own NETSWORD_TEST_<ENV>_* settings (tests/store/conftest.py)."""

from __future__ import annotations

import pytest

from tests.store.conftest import ELASTICSEARCH, LIVE, OPENSEARCH


def test_skip_reasons_name_the_variable_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NETSWORD_TEST_ES_URL", raising=False)
    monkeypatch.delenv("NETSWORD_TEST_OPENSEARCH_URL", raising=False)
    assert ELASTICSEARCH.skip_reason.startswith("NETSWORD_TEST_ES_URL is not set: no live Elasticsearch cluster")
    assert OPENSEARCH.skip_reason.startswith("NETSWORD_TEST_OPENSEARCH_URL is not set: no live OpenSearch cluster")
    for name, cluster in LIVE.items():
        (skip,) = [m for m in cluster.live_param().marks if m.name == "skipif"]
        assert skip.args == (True,) and skip.kwargs["reason"] == cluster.skip_reason, name
    monkeypatch.setenv("NETSWORD_TEST_OPENSEARCH_URL", "http://127.0.0.1:9200")
    (skip,) = [m for m in OPENSEARCH.live_param().marks if m.name == "skipif"]
    assert skip.args == (False,)


def test_each_cluster_reads_its_own_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETSWORD_TEST_ES_API_KEY", "es-key")
    monkeypatch.setenv("NETSWORD_TEST_ES_COMPAT", "9")
    monkeypatch.setenv("NETSWORD_TEST_ES_USERNAME", "elastic")
    monkeypatch.setenv("NETSWORD_TEST_OPENSEARCH_USERNAME", "admin")
    monkeypatch.setenv("NETSWORD_TEST_OPENSEARCH_CA_CERTS", "/etc/os-ca.pem")
    es, os_ = ELASTICSEARCH.client_settings(), OPENSEARCH.client_settings()
    assert (es.api_key, es.compat_version, es.username, es.ca_certs) == ("es-key", 9, "elastic", "")
    assert (os_.api_key, os_.compat_version, os_.username, os_.ca_certs) == ("", 8, "admin", "/etc/os-ca.pem")
    assert {m.name for m in ELASTICSEARCH.live_param().marks} == {"es_live", "skipif"}
    assert {m.name for m in OPENSEARCH.live_param().marks} == {"opensearch_live", "skipif"}
