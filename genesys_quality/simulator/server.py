"""HTTP transport: a threading server on loopback that applies faults, then the API or the admin endpoints."""

from __future__ import annotations

import json
import logging
import socket
import struct
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, parse_qsl, urlsplit

from . import admin, errors
from .api import Request, Response

logger = logging.getLogger("genesys_quality.simulator")


class SimulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator) -> None:
        self.simulator = simulator
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address) -> None:
        logger.debug("connection from %s ended with an error", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "GenesysCloudSimulator/1.0"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as two writes; without NODELAY, Nagle + delayed ACK add ~40 ms per call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def log_message(self, format: str, *args) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    def _serve(self, method: str) -> None:
        sim = self.server.simulator
        split = urlsplit(self.path)
        path = split.path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        correlation_id = str(uuid.uuid4())
        if path.startswith(admin.ADMIN_PREFIX):
            self._serve_admin(sim, method, path, body, correlation_id)
            return
        route, args = sim.api.route(method, path)
        sim.stats.record_request(method, route.template if route else "<unknown>")
        fault, latency = sim.faults.decide(method, path, is_api=path.startswith("/api/"))
        if latency:
            time.sleep(latency)
        if fault is not None and fault.kind == "reset":
            sim.stats.record_reset()
            self._reset()
            return
        if fault is not None and fault.kind == "error":
            response = Response(fault.status, errors.server_error(fault.status))
        elif fault is not None and fault.kind == "401":
            response = Response(401, errors.bad_credentials())
        elif fault is not None and fault.kind == "429":
            error = errors.too_many_requests(fault.retry_after)
            response = Response(429, error, error.headers)
        else:
            request = Request(
                method, path, parse_qs(split.query, keep_blank_values=True), parse_qsl(split.query, keep_blank_values=True),
                self.headers, body, args,
            )
            response = self._call(sim, route, request)
        payload = _encode(response.body, correlation_id)
        status = response.status
        if fault is not None and fault.kind == "malformed":
            status, payload = 200, payload[: max(1, len(payload) // 2)]
        self._send(status, payload, response.headers, correlation_id)

    def _call(self, sim, route, request: Request) -> Response:
        try:
            return sim.api.handle(route, request)
        except Exception:
            logger.exception("simulator failed on %s %s", request.method, request.path)
            return Response(500, errors.ApiError(500, "internal.server.error", "The simulator failed; see its log."))

    def _serve_admin(self, sim, method: str, path: str, body: bytes, correlation_id: str) -> None:
        if not sim.config.control_api:
            status, payload = 404, errors.not_found()
        else:
            try:
                status, payload = admin.dispatch(sim.org, sim.faults, sim.stats, method, path, body)
            except errors.ApiError as error:
                status, payload = error.status, error
        self._send(status, _encode(payload, correlation_id), {}, correlation_id, count=False)

    def _send(self, status: int, payload: bytes, headers: dict, correlation_id: str, count: bool = True) -> None:
        if count:  # before writing, so a client that has its response also sees it counted
            self.server.simulator.stats.record_response(status)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("ININ-Correlation-Id", correlation_id)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _reset(self) -> None:
        """Close the socket with RST and no response, as a dropped connection looks to a client."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass


def _encode(body, correlation_id: str) -> bytes:
    if isinstance(body, errors.ApiError):
        body = body.body(correlation_id)
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
