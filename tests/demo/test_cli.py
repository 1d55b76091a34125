"""`netsword demo-market` prints its URL first and serves until terminated."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx


def test_demo_market_prints_url_and_serves():
    command = [sys.executable, "-m", "netsword.cli", "demo-market", "--port", "0", "--fault-rate", "0"]
    command = [sys.executable, "-c", "from netsword.cli import run; run()", *command[3:]]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.fullmatch(r"demo marketplace listening on (http://127\.0\.0\.1:(\d+))\n", first)
        assert match, first
        assert httpx.get(match.group(1) + "/robots.txt", timeout=10).text.startswith("User-agent: *")
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert process.returncode == 0


def test_demo_market_bad_port_is_a_usage_error(capsys):
    from netsword.cli import main

    assert main(["demo-market", "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err
