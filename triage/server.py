"""`serve(config, host, port)`: run the triage UI with uvicorn until interrupted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import uvicorn

from netsword.config import Config
from triage.app import create_app


def serve(config: Config, host: str | None = None, port: int | None = None,
          run_history: Callable[[int], list[Any]] | None = None) -> None:  # fmt: skip
    app = create_app(config, run_history=run_history)
    uvicorn.run(app, host=host or config.triage.host, port=port or config.triage.port, log_level="info",
                proxy_headers=False, server_header=False)  # fmt: skip
