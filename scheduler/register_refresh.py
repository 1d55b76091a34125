"""The `register_refresh` job: re-import a regulated-goods register export from a file or an http(s) URL on schedule
(docs/regulated-goods.md#registers, docs/scheduler.md).

A URL is downloaded under the fetch policy (netsword.fetch_policy via parcels.fetch: http(s) only, the URL's own host
may be private because the operator named it, redirects may not lead to a private address, at most `max_bytes`),
streamed to a temporary file that is imported only when complete. The import replaces the register atomically
(matchers.regulated.register_files): a crawl starting meanwhile reads the old register or the new one. Refused rows
are written to the run's log as `source:line: column: reason` and counted as the run's errors; with `keep_bad_rows`
(the default) the good rows are written and the run ends `partial`, otherwise nothing is written and it fails. A
failed download or an unreadable export leaves the old register in place and says so.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from matchers.regulated.configured import configured_registers_dir
from matchers.regulated.register_files import import_export, load_registers
from matchers.regulated.registers import RegisterError
from netsword.config import Config
from netsword.fetch_policy import for_operator_url, redact
from parcels.fetch import FetchError, fetch_feed
from scheduler.history import FAILED, OK, PARTIAL, RunFigures
from scheduler.jobs import JobSpec, RegisterRefreshOptions

SHOWN_PROBLEMS = 3  # refused rows named in the run history's message; the log has all of them


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def run_register_refresh(cfg: Config, spec: JobSpec, *, log_path: Path, figures: RunFigures) -> tuple[str, str]:
    """Fetch (when an URL) and import the export; (outcome, message) for the run history."""
    assert isinstance(spec.options, RegisterRefreshOptions)
    options = spec.options
    directory = configured_registers_dir(cfg)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "a", encoding="utf-8") as log, tempfile.TemporaryDirectory(prefix="register-") as tmp:
        label = redact(options.source) if is_url(options.source) else options.source
        kept = _kept(directory, options.regime)

        def failed(message: str) -> tuple[str, str]:
            figures.errors += 1
            log.write(message + "\n")
            return FAILED, f"{message}; {kept}"

        export = Path(options.source)
        if is_url(options.source):
            policy = for_operator_url(options.source, max_bytes=options.max_bytes, timeout=options.timeout)
            try:
                export = fetch_feed(options.source, Path(tmp), f"register-{options.regime}", timeout=options.timeout,
                                    user_agent=cfg.crawler.user_agent, policy=policy)  # fmt: skip
            except FetchError as exc:
                return failed(f"{label}: cannot fetch: {exc}")
            log.write(f"downloaded {label} ({export.stat().st_size} bytes)\n")
        try:
            result = import_export(export, options.regime, directory, complete=not options.partial,
                                   keep_bad_rows=options.keep_bad_rows, label=label)  # fmt: skip
        except RegisterError as exc:
            return failed(str(exc))
        report = result.report
        for line in (*report.problems, *report.warnings):
            log.write(line + "\n")
        figures.listings = len(report.register.records)  # records in the register now (or that would have been)
        figures.errors += len(report.problems)
        bad = len(report.problems)
        shown = "; ".join(report.problems[:SHOWN_PROBLEMS]) + ("; …" if bad > SHOWN_PROBLEMS else "")
        if not result.written:
            if not bad:
                figures.errors += 1  # an export without a single record is a failure too
            why = f"{bad} row(s) refused: {shown}" if bad else "no records in the export"
            return FAILED, f"{options.regime}: nothing written, {why}; {kept}"
        before = f", replacing {len(result.replaced.records)}" if result.replaced else ""
        done = (f"{options.regime}: {len(report.register.records)} records from {label}{before} "
                f"(sha256 {report.register.sha256[:12]})")  # fmt: skip
        log.write(done + "\n")
        if bad:
            return PARTIAL, f"{done}; {bad} row(s) refused and left out: {shown}"
        return OK, done


def _kept(directory: Path, regime: str) -> str:
    """What stays in use when a refresh fails."""
    try:
        register = load_registers(directory).get(regime)
    except RegisterError as exc:
        return f"the register in use is unreadable ({exc})"
    if register is None:
        return "no register of this regime in use"
    return f"the register imported {register.imported_at or 'before'} stays in use ({len(register.records)} records)"
