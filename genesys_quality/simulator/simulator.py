"""`Simulator`: the organisation, its API on a loopback port, faults and counters, started and stopped together."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

from .api import Api
from .auth import TokenIssuer
from .config import SimulatorConfig
from .faults import Faults
from .organisation import Organisation
from .server import SimulatorHTTPServer
from .stats import SimulatorStats


class Simulator:
    """A faithful Genesys Cloud QM API for demos and tests: `with Simulator(seed=42) as sim: sim.base_url`."""

    def __init__(self, config: SimulatorConfig | None = None, **overrides: Any) -> None:
        self.config = dataclasses.replace(config, **overrides) if config else SimulatorConfig(**overrides)
        self.org = Organisation(self.config)
        self.stats = SimulatorStats()
        self.tokens = TokenIssuer(self.config.client_id, self.config.client_secret, self.config.token_lifetime_seconds)
        self.faults = Faults(self.tokens)
        self.api = Api(self.config, self.org, self.tokens, self.stats)
        self._server: SimulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        state = self.base_url if self._server else "stopped"
        return f"Simulator(seed={self.config.seed}, anchor_month={self.config.anchor_month!r}, {state})"

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`: the login (/oauth/token) and API host in one."""
        if self._server is None:
            raise RuntimeError("the simulator is not running: call start() or use it as a context manager")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def start(self) -> "Simulator":
        if self._server is not None:
            return self
        self._server = SimulatorHTTPServer((self.config.host, self.config.port), self)
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05), name="genesys-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = self._thread = None

    def serve_forever(self) -> None:
        """Block until stop() is called from another thread (the CLI uses this)."""
        self.start()
        self._thread.join()

    def __enter__(self) -> "Simulator":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
