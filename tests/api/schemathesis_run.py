"""Schemathesis over the whole API: a demo site under uvicorn, every operation in the OpenAPI
document tried with generated valid and invalid input. Fails on any 5xx, any status the schema
does not list, or any response body that breaks its schema.

    python -m tests.api.schemathesis_run                  # the short run CI does
    python -m tests.api.schemathesis_run --examples 200   # a long one, on demand
    python -m tests.api.schemathesis_run --ahead-days 365 # the site a year ahead (faketime)

DATABASE_URL picks the database (default: a fresh SQLite file in a temporary folder).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ADMIN = "aisha.rahman@demo.community.test"
PASSWORD = "practice-together"
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    sys.exit(f"the server did not start:\n{log.read_text()[-3000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=8, help="examples per operation")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--ahead-days",
        type=int,
        default=0,
        help="run the site (not schemathesis) with its clock this many days ahead, by faketime",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="community-schemathesis-"))
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite://{folder}/api.sqlite3",
        "SECRET_KEY": "schemathesis-secret-key-for-this-run-only",
        "BASE_URL": base_url,
        "RATE_LIMITS": "off",
        "DEBUG": "1",
        "EMAIL_BACKEND": "console",
    }
    log = folder / "server.log"
    with log.open("wb") as output:
        # Only the site's clock moves: schemathesis waits with timeouts on threads, and under
        # faketime's moved monotonic clock such a wait lasts until the moved deadline.
        ahead = ["faketime", "-f", f"+{args.ahead_days}d"] if args.ahead_days else []
        server = subprocess.Popen(  # noqa: S603  # our own command line
            [*ahead, sys.executable, "-m", "community", "serve", "--demo", "--port", str(port)],
            cwd=folder,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            # its own process group: faketime runs the site as its child, and both must stop
            start_new_session=True,
        )
    try:
        _wait_for(f"{base_url}/healthz", server, log)
        answer = httpx.post(
            f"{base_url}/api/v1/auth/tokens",
            json={"email": ADMIN, "password": PASSWORD, "name": "schemathesis"},
            timeout=30,
        )
        answer.raise_for_status()
        token = answer.json()["token"]
        command = [
            sys.executable, "-m", "schemathesis.cli", "run", f"{base_url}/api/openapi.json",
            "--checks", CHECKS,
            "--max-examples", str(args.examples),
            "--seed", str(args.seed),
            "--workers", "1",
            "--header", f"Authorization: Bearer {token}",
            # it must not revoke the token it runs with
            "--exclude-path", "/api/v1/auth/tokens/{token_id}",
            "--generation-database", "none",
            "--request-timeout", "30",
            "--no-color",
        ]  # fmt: skip
        result = subprocess.run(command, cwd=folder, check=False)  # noqa: S603  # ours
        errors = [line for line in log.read_text(errors="replace").splitlines() if "ERROR" in line]
        if errors:
            print("The server logged errors:", *errors[-20:], sep="\n")
            return 1
        return result.returncode
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
