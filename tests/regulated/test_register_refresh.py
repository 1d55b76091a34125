"""The scheduler's register_refresh job: a register re-imported on schedule from a file or a URL (a server on
127.0.0.1), atomically; refused rows reported `source:line: column: reason` with the good rows kept; a failed
download or a redirect to a private address leaves the old register in use; the run history tells what happened."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from matchers.regulated.register_files import load_registers
from netsword.config import Config, load_config
from scheduler.history import RunHistory, RunRecord
from scheduler.jobs_loader import JobsFileError, parse_jobs
from scheduler.runner import JobRunner

SAMPLE = Path(__file__).resolve().parents[2] / "demo" / "data" / "registers" / "pesticide.csv"
BAD_ROW = "PD20990001,示例杀虫剂,乳油,下个月,某公司,水稻 稻飞虱,有效\n"


class _Handler(BaseHTTPRequestHandler):
    pages: dict[str, tuple[int, bytes, dict[str, str]]] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        status, body, headers = self.pages.get(self.path, (404, b"not here", {}))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    good = SAMPLE.read_bytes()
    _Handler.pages = {
        "/pesticide.csv": (200, good, {}),
        "/pesticide-bad-row.csv": (200, good + BAD_ROW.encode(), {}),
        "/pesticide-gbk.csv": (200, good.decode("utf-8").encode("gb18030"), {}),
        "/moved": (302, b"", {"Location": "http://10.255.255.1/pesticide.csv"}),
        "/huge.csv": (200, good * 200, {}),
    }
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def cfg(tmp_path: Path) -> Config:
    return load_config(env={"NETSWORD_PATHS_VAR_DIR": str(tmp_path / "var")})


def run(cfg: Config, source: str, **options: object) -> RunRecord:
    extra = "".join(f", {k}: {v}" for k, v in options.items())
    jobs = parse_jobs(f"jobs:\n  - {{id: reg, kind: register_refresh, regime: pesticide, source: '{source}', "
                      f"cron: '15 3 * * *'{extra}}}\n")  # fmt: skip
    history = RunHistory.for_config(cfg)
    try:
        return JobRunner(cfg, {s.id: s for s in jobs}, history, threading.Event()).run("reg", trigger="run-now")
    finally:
        history.close()


def _records(cfg: Config) -> int:
    register = load_registers(cfg.var_dir / "registers").get("pesticide")
    return len(register.records) if register else 0


def test_a_url_refresh_replaces_the_register_and_says_so(cfg: Config, server: str) -> None:
    record = run(cfg, f"{server}/pesticide.csv")
    assert record.outcome == "ok" and record.errors == 0, record.message
    count = _records(cfg)
    assert count > 5 and record.listings == count
    assert f"{count} records from {server}/pesticide.csv" in record.message
    register = load_registers(cfg.var_dir / "registers").get("pesticide")
    assert register is not None and register.source == f"{server}/pesticide.csv"
    again = run(cfg, f"{server}/pesticide-gbk.csv")  # GB18030, as government sites export
    assert again.outcome == "ok" and f"replacing {count}" in again.message, again.message


def test_bad_rows_are_reported_with_line_and_column_and_the_good_ones_kept(cfg: Config, server: str) -> None:
    record = run(cfg, f"{server}/pesticide-bad-row.csv")
    lines = SAMPLE.read_text(encoding="utf-8").count("\n") + 1
    assert record.outcome == "partial" and record.errors == 1, record.message
    assert f"{server}/pesticide-bad-row.csv:{lines}: " in record.message and "下个月" in record.message
    assert _records(cfg) == record.listings > 5
    log = (cfg.var_dir / "logs" / "scheduler" / "reg" / f"{record.run_id}.log").read_text(encoding="utf-8")
    assert f"pesticide-bad-row.csv:{lines}:" in log
    strict = run(cfg, f"{server}/pesticide-bad-row.csv", keep_bad_rows="false")
    assert strict.outcome == "failed" and "nothing written" in strict.message
    assert "stays in use" in strict.message and _records(cfg) == record.listings


def test_a_failed_fetch_keeps_the_old_register(cfg: Config, server: str) -> None:
    assert run(cfg, f"{server}/pesticide.csv").outcome == "ok"
    count = _records(cfg)
    for path, why in (("/missing.csv", "HTTP 404"), ("/moved", "not a public address"),
                      ("/huge.csv", "larger than")):  # fmt: skip
        record = run(cfg, f"{server}{path}", max_bytes=65536)
        assert record.outcome == "failed" and record.errors >= 1, record.message
        assert why in record.message and "stays in use" in record.message, record.message
        assert _records(cfg) == count
    assert not list((cfg.var_dir / "registers").glob("*.part"))


def test_a_file_refresh_and_a_missing_file(cfg: Config, tmp_path: Path) -> None:
    export = tmp_path / "pesticide.tsv"
    export.write_text(SAMPLE.read_text(encoding="utf-8").replace(",", "\t"), encoding="utf-8")
    assert run(cfg, str(export)).outcome == "ok"
    missing = run(cfg, str(tmp_path / "gone.csv"))
    assert missing.outcome == "failed" and "no such file" in missing.message


def test_the_jobs_file_checks_the_regime_and_the_source() -> None:
    with pytest.raises(JobsFileError) as err:
        parse_jobs("jobs:\n  - id: r\n    kind: register_refresh\n    regime: cosmetics\n    source: ftp://x/y.csv\n"
                   "    every: 1d\n")  # fmt: skip
    assert "<jobs>:4: jobs.0.regime: 'cosmetics' is not a regime" in str(err.value)
