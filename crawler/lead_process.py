"""The crawl's lead process: matching and storing off the crawl's own core.

A crawl's LeadPipeline starts one of these (`python -m crawler.lead_process`, a fresh interpreter: nothing of the
crawl's reactor, threads or browser is inherited) and hands it batches of listing dicts over a pipe; it builds the
match index, opens the lead store and the alerting lead sink from the crawl's own configuration and watchlist (sent
to it, not read again), stamps sightings with the crawl run's id, and stores each batch through the one lead path
(crawler.lead_outcomes.store_listings → leads.process.process_batch), answering with one outcome per listing. One
batch at a time, in order, as the pipeline sends them.

- Detail pages the spider left unread (crawler.extract.PageBody, with the crawl's profile sent at set-up) are read
  here first (crawler.lead_outcomes), so parsing them costs the crawl's core nothing either.
- A thread of its own reads the pipe as batches arrive (they hold detail pages, larger than the pipe's buffer), so the
  crawl's send never waits for the batch before to be stored.
- Its log records travel back with each answer and are logged by the crawl (its log settings, file and level apply).
- A batch the store refuses is answered as refused (the pipeline fails its listings; the crawl goes on).
- It ignores SIGINT and SIGTERM (a Ctrl-C or the scheduler's stop reaches the whole process group): the crawl
  stops gracefully, drains its batches and then closes it.
- When the crawl is gone (killed: its end of the pipe closes) it finishes the batch it holds and exits: what it
  stored stays stored, the rest the run's ledger never counted.
- When it dies, the crawl hears it at once (its end of the pipe closes) and gets `LeadProcessDied` with the exit code.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NoReturn

from crawler.errors import CrawlSetupError
from crawler.extract import PageBody
from crawler.lead_outcomes import ListingOutcome, RunSightings, store_listings
from crawler.profile import Profile
from leads.store.base import StoreError
from netsword.config import Config
from watchlists.model import Watchlist

logger = logging.getLogger(__name__)
MAX_LOG_RECORDS = 200  # per answer; more are counted, not sent
CLOSE_TIMEOUT = 120.0  # seconds the lead process may take to close its store and outbox
PIPE_BYTES = 1 << 20  # each pipe's buffer (Linux allows up to /proc/sys/fs/pipe-max-size, 1 MiB by default)


class LeadProcessDied(RuntimeError):
    """The lead process ended without being asked to (killed, out of memory, a crash)."""

    def __init__(self, code: int | None) -> None:
        self.code = code
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        super().__init__(f"the crawl's lead process died ({how})")


class LeadProcess:
    """The crawl's side: start it and wait until it is ready (blocking: from a worker thread), store batches (on the
    crawl's event loop: the answer is awaited with the loop watching the pipe, no thread in between), close."""

    def __init__(
        self,
        cfg: Config,
        watchlist: Watchlist,
        *,
        run_id: str,
        alerts: bool,
        log_level: int,
        profile: Profile | None = None,
    ) -> None:
        down_read, down_write = os.pipe()  # both ends are not inherited by anything else this crawl starts
        up_read, up_write = os.pipe()
        root = str(Path(__file__).resolve().parents[1])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        try:
            self.proc = subprocess.Popen(  # noqa: S603 - this interpreter running our own module
                [sys.executable, "-m", "crawler.lead_process", str(down_read), str(up_write)],
                pass_fds=(down_read, up_write), env=env, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        finally:
            os.close(down_read)
            os.close(up_write)
        for fd in (down_write, up_read):  # room for a batch or two in the pipe, so that a send does not wait
            try:
                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
            except OSError:
                pass  # the system's limit (/proc/sys/fs/pipe-max-size) is lower: a send may wait a little
        self.outbox = Connection(down_write, readable=False)
        self.inbox = Connection(up_read, writable=False)
        self.waiting: deque[asyncio.Future[tuple[Any, ...]]] = deque()  # batches sent, in order, answers to come
        self.dead: LeadProcessDied | None = None
        self.closed = False
        setup = {"cfg": cfg, "watchlist": watchlist, "run_id": run_id, "alerts": alerts, "log_level": log_level,
                 "profile": profile}  # fmt: skip
        self._send(("setup", setup))

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self) -> None:
        """Block until the index is built and the store open; CrawlSetupError when that failed."""
        answer = self._answer()
        if answer[0] == "error":
            self.proc.wait()
            self.closed = True
            raise CrawlSetupError(f"lead process: {answer[1]}")

    async def store(
        self, entries: Sequence[dict[str, Any]], details: Sequence[PageBody | None] = ()
    ) -> list[ListingOutcome]:
        """Store one batch (`details`: the entries' unread detail pages, crawler.lead_outcomes.store_listings);
        StoreError when the store refused it, LeadProcessDied when the process is gone.

        A batch sent while others are in the lead process is stored after them (it reads one at a time, in order),
        so what each batch's outcomes say is what one batch at a time would say."""
        loop = asyncio.get_running_loop()
        answered: asyncio.Future[tuple[Any, ...]] = loop.create_future()
        self._send(("batch", list(entries), list(details)))
        self.waiting.append(answered)
        if len(self.waiting) == 1:
            loop.add_reader(self.inbox.fileno(), self._readable, loop)
        answer = await answered
        if answer[0] == "refused":
            raise StoreError(answer[1])
        outcomes: list[ListingOutcome] = answer[1]
        if len(outcomes) != len(entries):
            raise StoreError(f"the lead process answered {len(outcomes)} outcomes for {len(entries)} listings")
        return outcomes

    def _readable(self, loop: asyncio.AbstractEventLoop) -> None:
        """An answer is there (or the pipe closed): it goes to the oldest batch waiting."""
        fd = self.inbox.fileno()
        try:
            answer = self._answer()  # the whole answer: it writes it at once
        except LeadProcessDied as exc:
            loop.remove_reader(fd)
            waiting, self.waiting = self.waiting, deque()
            for answered in waiting:
                if not answered.done():
                    answered.set_exception(exc)
            return
        answered = self.waiting.popleft()
        if not self.waiting:
            loop.remove_reader(fd)
        if not answered.done():
            answered.set_result(answer)

    def close(self) -> dict[str, Any]:
        """Ask it to close its store and outbox and wait for it to exit; its figures (alerts_queued)."""
        if self.closed:
            return {}
        self._send(("close",))
        answer = self._answer()
        try:
            code = self.proc.wait(timeout=CLOSE_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.closed = True
        self._close_pipes()
        if code != 0:
            raise LeadProcessDied(code)
        figures: dict[str, Any] = answer[1]
        return figures

    def kill(self) -> None:
        """Stop it without asking (the crawl is failing anyway)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.closed = True
        self._close_pipes()

    def _close_pipes(self) -> None:
        for conn in (self.outbox, self.inbox):
            if not conn.closed:
                conn.close()

    def _send(self, message: tuple[Any, ...]) -> None:
        if self.dead is not None:
            raise self.dead
        try:
            self.outbox.send(message)
        except OSError:  # BrokenPipeError: it is gone
            self._died()

    def _answer(self) -> tuple[Any, ...]:
        try:
            answer: tuple[Any, ...] = self.inbox.recv()
        except (EOFError, OSError):
            self._died()
        for name, level, text in answer[-1]:  # its log records, into the crawl's log
            logging.getLogger(name).log(level, "%s", text)
        return answer[:-1]

    def _died(self) -> NoReturn:
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # its pipe is closed but it still runs: no use to anyone
            self.proc.kill()
            code = self.proc.wait()
        self.dead = LeadProcessDied(code)
        self.closed = True
        self._close_pipes()
        raise self.dead


# -- the lead process's side


class _Records(logging.Handler):
    """Keep log records to send back with the next answer."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[str, int, str]] = []
        self.dropped = 0

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) >= MAX_LOG_RECORDS:
            self.dropped += 1
            return
        try:
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is still worth a line
            text = str(record.msg)
        self.records.append((record.name, record.levelno, text))

    def take(self) -> list[tuple[str, int, str]]:
        records, self.records = self.records, []
        if self.dropped:
            records.append((__name__, logging.WARNING, f"{self.dropped} more log records of the lead process dropped"))
            self.dropped = 0
        return records


class _Stores:
    def __init__(self, setup: dict[str, Any]) -> None:
        from alerts.lead_sink import open_alerting_sink
        from leads.sink import LeadSink
        from matchers.configured import build_index

        cfg: Config = setup["cfg"]
        watchlist: Watchlist = setup["watchlist"]
        self.min_score = cfg.matching.min_score
        self.profile: Profile | None = setup.get("profile")
        self.index = build_index(cfg, watchlist=watchlist)
        self.store, self.alerting = open_alerting_sink(cfg, watchlist, alerts=bool(setup["alerts"]))
        run_id = str(setup.get("run_id") or "")
        self.sink: LeadSink = RunSightings(self.alerting, run_id) if run_id else self.alerting

    def store_batch(self, entries: list[dict[str, Any]], details: list[PageBody | None]) -> list[ListingOutcome]:
        return store_listings(
            entries, self.index, self.sink, min_score=self.min_score, details=details, profile=self.profile
        )

    def close(self) -> dict[str, Any]:
        queuer = self.alerting.queuer
        figures = {"alerts_queued": queuer.queued if queuer is not None else None}
        self.alerting.close()
        self.store.close()
        return figures


def _read(inbox: Connection, messages: queue.Queue[tuple[Any, ...] | None]) -> None:
    """The pipe's reader (a thread): each message as it arrives, then None when the crawl's end is closed."""
    while True:
        try:
            message: tuple[Any, ...] = inbox.recv()
        except (EOFError, OSError):
            messages.put(None)
            return
        messages.put(message)
        if message[0] == "close":
            return


def main(argv: Sequence[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the crawl decides when this process ends
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    inbox = Connection(int(argv[0]), writable=False)
    outbox = Connection(int(argv[1]), readable=False)
    records = _Records()
    logging.getLogger().addHandler(records)
    try:
        _, setup = inbox.recv()
    except EOFError:
        return 0
    logging.getLogger().setLevel(int(setup.get("log_level") or logging.INFO))
    try:
        stores = _Stores(setup)
    except Exception as exc:  # noqa: BLE001 - told to the crawl, which fails its setup with it
        outbox.send(("error", f"{type(exc).__name__}: {exc}", records.take()))
        return 2
    outbox.send(("ready", records.take()))
    messages: queue.Queue[tuple[Any, ...] | None] = queue.Queue()
    threading.Thread(target=_read, args=(inbox, messages), name="netsword-lead-pipe", daemon=True).start()
    while True:
        message = messages.get()
        if message is None:  # the crawl is gone: what was stored stays stored
            break
        if message[0] == "close":
            outbox.send(("closed", stores.close(), records.take()))
            return 0
        try:
            answer: tuple[Any, ...] = ("done", stores.store_batch(message[1], message[2]), records.take())
        except Exception as exc:  # noqa: BLE001 - a refused batch costs its listings, never the crawl
            logger.error("storing %d listings failed: %s", len(message[1]), exc)
            answer = ("refused", str(exc)[:300] or type(exc).__name__, records.take())
        try:
            outbox.send(answer)
        except OSError:  # the crawl is gone
            break
    stores.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
