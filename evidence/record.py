"""The extraction record (电子数据提取笔录) of one capture or of a case's captures: printable in Chinese (text or HTML)
and as JSON.

It says what the rules on online extraction ask a record to say (docs/evidence.md): the case cause and the target,
the URLs and the steps taken to reach them, start and end time and where the time came from, who extracted, the tool
(name, version, git commit) and the system it ran on, the data list (category, format, size, SHA-256 of every file
and of the manifest), screenshots, anomalies, the trusted timestamps (token ids) and the chain of custody.
Everything is read from the store as it is now and checked on the way: a file whose hash changed, a manifest that
differs from its ledger row or a timestamp that does not verify is listed as an anomaly, never left out.
Scraped text is data: control characters become spaces, and the HTML template escapes everything.
"""

from __future__ import annotations

import getpass
import json
import platform
import socket
import subprocess
import sys
import unicodedata
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from evidence.custody import custody_of, sync
from evidence.store import Capture, EvidenceStore
from netsword.fetch_policy import redact
from netsword.models import utc_now

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

TOOL = "NetSword"
TEMPLATES = Path(__file__).parent / "templates"
ROLE_ZH = {"page": "网页源代码", "screenshot": "网页截图", "response": "服务器响应", "warc": "网络存档（WARC）",
           "other": "其他文件", "manifest": "取证清单（JSON）"}  # fmt: skip
KIND_ZH = {"page": "平台网页", "api": "平台接口响应", "feed": "平台导出文件", "listing-page": "商品详情页（为留证单独获取）",
           "manual": "人工指定的网址"}  # fmt: skip


def clean(text: Any) -> str:
    """Scraped text as data: every control character but the newline becomes a space."""
    return "".join(" " if unicodedata.category(c) == "Cc" and c != "\n" else c for c in str(text))


@dataclass(frozen=True)
class DataItem:
    category: str  # 类别 (Chinese) — what the file is
    role: str
    format: str  # the media type
    size: int
    sha256: str
    url: str = ""


@dataclass
class CaptureRecord:
    capture_id: str
    platform: str
    listing_id: str
    kind: str
    url: str
    final_url: str
    status: int | None
    redirects: list[dict[str, Any]]
    access_steps: list[str]
    started_at: str
    ended_at: str
    time_source: str
    capture_host: str
    origin: str
    manifest_sha256: str
    data: list[DataItem]
    screenshots: list[DataItem]
    anomalies: list[str]
    timestamps: list[dict[str, str]]
    custody: list[dict[str, Any]]


@dataclass
class ExtractionRecord:
    cause: str  # 案由
    target: str  # 对象
    operators: list[str]
    tool: dict[str, str]
    environment: dict[str, str]
    generated_at: str
    case_id: str = ""
    captures: list[CaptureRecord] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def tool_info() -> dict[str, str]:
    """The tool's name, version and git commit (when it runs from a git checkout; otherwise the version says it)."""
    try:
        version = metadata.version("netsword")
    except metadata.PackageNotFoundError:
        version = "unknown"
    root = Path(__file__).resolve().parents[1]
    commit, modified = "", False
    if (root / ".git").exists():
        try:
            commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                                    timeout=10, check=True).stdout.strip()  # fmt: skip
            modified = bool(subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                                           capture_output=True, text=True, timeout=10).stdout.strip())  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            commit = ""
    return {"name": TOOL, "version": version, "commit": commit, "modified": "yes" if modified else "no"}


def environment(browser: str = "") -> dict[str, str]:
    """The system the record is made on (the capture host is in each capture's record), with the Chromium that takes
    screenshots (`browser`: the configured executable, or found as netsword.browser finds it)."""
    from netsword.browser import browser_version, find_browser

    found = find_browser(browser)
    return {"host": socket.gethostname(), "os": platform.platform(), "python": sys.version.split()[0],
            "browser": browser_version(found) if found else "not found", "clock": _clock_sync()}  # fmt: skip


def _clock_sync() -> str:
    try:
        done = subprocess.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"], capture_output=True,
                              text=True, timeout=5)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    value = done.stdout.strip()
    return {"yes": "ntp-synchronized", "no": "not-synchronized"}.get(value, "unknown")


def default_operators() -> list[str]:
    try:
        return [f"{getpass.getuser()} (system account)"]
    except (KeyError, OSError):
        return []


def build_record(store: EvidenceStore, captures: list[Capture], *, cause: str, target: str, operators: list[str],
                 case_id: str = "", roots: tuple[Certificate, ...] | None = None,
                 browser: str = "") -> ExtractionRecord:  # fmt: skip
    """The record of `captures` (each checked against the store, its ledger, tokens and custody log). `roots`: the
    TSA trust roots to check timestamps with (None or empty: tokens are listed as not checked)."""
    from evidence.timestamps import NOT_COVERED, TimestampBook
    from evidence.verify import check_capture

    record = ExtractionRecord(cause=clean(cause), target=clean(target), operators=[clean(o) for o in operators],
                              tool=tool_info(), environment=environment(browser), generated_at=utc_now(),
                              case_id=case_id)  # fmt: skip
    book = TimestampBook(store.root) if store.ledger.exists() else None
    custody = custody_of(store) if store.ledger.exists() else None
    try:
        if custody:
            sync(store, custody)  # captures not logged yet get their `captured` event from the ledger first
        for capture in captures:
            raw = _raw_manifest(store, capture.capture_id)
            row = store.ledger.get(capture.capture_id) if store.ledger.exists() else None
            check = check_capture(store, capture.capture_id, roots=roots or None)
            anomalies = _anomalies(capture) + [f"校验未通过（与 netsword evidence verify 相同）：{clean(p)}"
                                               for p in check.problems]  # fmt: skip
            tokens = []
            for token in book.tokens(capture.capture_id) if book else ():
                problem = check.tokens.get(token.token_id)
                state = "valid" if roots else "not checked (no trust roots configured)"
                if problem and problem.startswith(NOT_COVERED):
                    state = f"INVALID: {problem}"
                    anomalies.append(f"可信时间戳 {token.token_id} 不覆盖当前的取证清单（清单在盖时间戳后被改动）")
                elif problem:
                    state = f"INVALID: {problem}"
                    anomalies.append(f"可信时间戳 {token.token_id} 验证失败：{clean(problem)}")
                tokens.append({"token_id": token.token_id, "tsa": redact(token.tsa_url), "gen_time": token.gen_time,
                               "serial_number": token.serial_number, "policy": token.policy, "check": state})  # fmt: skip
            if not tokens:
                anomalies.append("无可信时间戳（尚未申请或时间戳服务不可用：netsword evidence timestamp）")
            events = [{"seq": e.seq, "at": e.at, "event": e.event, "actor": e.actor} for e in
                      (custody.events(capture.capture_id) if custody else [])]  # fmt: skip
            try:
                size = store.manifest_path(capture.capture_id).stat().st_size
            except OSError:
                size = -1
            record.captures.append(_capture_record(capture, raw, row, anomalies, tokens, events, size))
    finally:
        if book:
            book.close()
        if custody:
            custody.close()
    return record


def _raw_manifest(store: EvidenceStore, capture_id: str) -> dict[str, Any]:
    try:
        data = json.loads(store.manifest_path(capture_id).read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _anomalies(capture: Capture) -> list[str]:
    """What the capture itself says went wrong (the store's checks are `evidence.verify.check_capture`'s)."""
    found = [f"未取得：{clean(m)}" for m in capture.missing]
    if capture.status is not None and not 200 <= capture.status < 300:
        found.append(f"HTTP 状态 {capture.status}")
    final = capture.final_url or capture.url
    if urlsplit(final).hostname != urlsplit(capture.url).hostname:
        found.append(f"重定向至其他主机：{clean(final)}")
    if capture.withheld_headers:
        found.append("以下请求头已发送但未记录（凭据等）：" + "、".join(clean(h) for h in capture.withheld_headers))
    return found


def _capture_record(capture: Capture, raw: dict[str, Any], row: Any, anomalies: list[str],
                    tokens: list[dict[str, str]], events: list[dict[str, Any]], manifest_size: int) -> CaptureRecord:  # fmt: skip
    data = [DataItem(ROLE_ZH.get(f.role, ROLE_ZH["other"]), f.role, clean(f.media_type), f.size, f.sha256,
                     clean(f.url)) for f in capture.files]  # fmt: skip
    manifest_sha = row.manifest_sha256 if row is not None else ""
    if manifest_sha:
        data.insert(0, DataItem(ROLE_ZH["manifest"], "manifest", "application/json", manifest_size, manifest_sha,
                                f"captures/{capture.capture_id}.json"))  # fmt: skip
    redirects = [{"url": clean(h.get("url", "")), "status": clean(h.get("status", ""))}
                 for h in raw.get("redirects") or () if isinstance(h, dict)]  # fmt: skip
    kind = str(raw.get("kind") or "page")
    started = str(raw.get("started_at") or (row.begun_at if row is not None else "") or capture.captured_at)
    ended = str(raw.get("ended_at") or (row.ended_at if row is not None else ""))
    host = row.host if row is not None else ""
    time_source = f"采集主机 {clean(host) or '（未记录）'} 的系统时钟（UTC）"
    holding = [t for t in tokens if not t["check"].startswith("INVALID")]  # a token that fails is no time source
    if holding:
        time_source += "；独立时间来源：可信时间戳（RFC 3161）" + "、".join(f"{t['tsa']} {t['gen_time']}" for t in holding)
    return CaptureRecord(
        capture_id=capture.capture_id, platform=clean(capture.platform), listing_id=clean(capture.listing_id),
        kind=kind, url=clean(capture.url), final_url=clean(capture.final_url or capture.url), status=capture.status,
        redirects=redirects, access_steps=_steps(capture, kind, redirects, timestamped=bool(tokens)), started_at=started, ended_at=ended,
        time_source=time_source, capture_host=clean(host), origin=row.origin if row is not None else "",
        manifest_sha256=manifest_sha, data=data, screenshots=[d for d in data if d.role == "screenshot"],
        anomalies=anomalies, timestamps=tokens, custody=events,
    )  # fmt: skip


def _steps(capture: Capture, kind: str, redirects: list[dict[str, Any]], *, timestamped: bool) -> list[str]:
    steps = [f"使用 {TOOL}（取证方式：{KIND_ZH.get(kind, kind)}，配置 {clean(capture.profile)}）向 {clean(capture.url)} "
             "发送 HTTP 请求；记录的请求头：" + ("、".join(clean(k) for k in capture.request_headers) or "无")]  # fmt: skip
    for hop in redirects:
        steps.append(f"服务器以 {hop['status']} 重定向：{hop['url']}")
    status = "未记录" if capture.status is None else str(capture.status)
    steps.append(f"取得最终地址 {clean(capture.final_url or capture.url)} 的响应（HTTP {status}），原样保存响应内容")
    if capture.file("screenshot") is not None:
        steps.append("以 Chromium 浏览器打开该网页并截取整页截图")
    steps.append("逐一计算每个文件的 SHA-256 完整性校验值，写入取证清单；清单的 SHA-256 先记入以证据密钥封存的账本，再写入文件")
    if timestamped:
        steps.append("对取证清单的 SHA-256 申请可信时间戳（RFC 3161），收到后验证签名与证书链")
    return steps


def render_json(record: ExtractionRecord) -> str:
    return json.dumps(record.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def render_html(record: ExtractionRecord) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))
    return env.get_template("extraction_record.html").render(r=record, tool_line=_tool_line(record))


def _tool_line(record: ExtractionRecord) -> str:
    tool = record.tool
    commit = f"提交 {tool['commit']}" + ("（含未提交的修改）" if tool.get("modified") == "yes" else "") if tool["commit"] \
        else "无 git 提交信息，以版本号为准"  # fmt: skip
    return f"{tool['name']} {tool['version']}（{commit}）"


def render_text(record: ExtractionRecord) -> str:
    env = record.environment
    out = ["电子数据提取笔录", ""]
    if record.case_id:
        out.append(f"案件编号：{record.case_id}")
    out += [f"案由：{record.cause}", f"提取对象：{record.target}",
            f"提取人员：{'、'.join(record.operators) or '（未填写）'}", f"提取工具：{_tool_line(record)}",
            f"系统环境：{env['os']}，Python {env['python']}，浏览器 {env['browser']}，主机 {env['host']}，"
            f"时钟同步状态 {env['clock']}",
            f"笔录生成时间：{record.generated_at}（UTC）", ""]  # fmt: skip
    for n, c in enumerate(record.captures, 1):
        out += [f"（{n}）取证编号 {c.capture_id}（平台 {c.platform}，商品 {c.listing_id}）",
                f"  访问地址：{c.url}", f"  最终地址：{c.final_url}（HTTP {c.status if c.status is not None else '未记录'}）",
                f"  开始时间：{c.started_at or '未记录'}  结束时间：{c.ended_at or '未记录'}（UTC）",
                f"  时间来源：{c.time_source}", "  访问步骤："]  # fmt: skip
        out += [f"    {i}. {step}" for i, step in enumerate(c.access_steps, 1)]
        out.append("  电子数据清单（类别 / 格式 / 大小（字节） / SHA-256）：")
        for i, d in enumerate(c.data, 1):
            size = "—" if d.size < 0 else str(d.size)
            out.append(f"    {i}. {d.category} / {d.format} / {size} / {d.sha256}")
        shots = "、".join(d.sha256 for d in c.screenshots) or "无"
        out.append(f"  截图：{shots}")
        out.append("  可信时间戳：" + ("无" if not c.timestamps else ""))
        out += [f"    {t['token_id']}  {t['tsa']}  {t['gen_time']}  序列号 {t['serial_number']}  验证 {t['check']}"
                for t in c.timestamps]  # fmt: skip
        out.append("  异常情况：" + ("无" if not c.anomalies else ""))
        out += [f"    - {a}" for a in c.anomalies]
        out.append("  保管记录：" + ("；".join(f"{e['at']} {e['event']}（{e['actor']}）" for e in c.custody) or "无"))
        out.append("")
    out += ["提取人员（签名）：____________    见证人（签名）：____________    日期：____________",
            "（本笔录由 NetSword 依据证据库现状生成；校验值与时间戳可用 netsword evidence verify 复核。）"]  # fmt: skip
    return "\n".join(out) + "\n"
