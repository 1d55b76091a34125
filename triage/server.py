"""`serve(config, host, port)`: run the triage UI with uvicorn until interrupted."""

from __future__ import annotations

import uvicorn

from netsword.config import Config
from triage.app import create_app


def serve(config: Config, host: str | None = None, port: int | None = None) -> None:
    app = create_app(config)
    uvicorn.run(app, host=host or config.triage.host, port=port or config.triage.port, log_level="info",
                proxy_headers=False, server_header=False)  # fmt: skip
