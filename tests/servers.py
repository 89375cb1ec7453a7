"""The site under uvicorn in a child process, on the tests' database: for the browser tests
and for what needs more than one web process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from community.settings import Settings
from tests.conftest import DATABASE_URL

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(settings: Settings, log: Path, **env: str) -> Iterator[str]:
    """Start the site (the environment's settings, and `env`) and give its address once it
    answers /healthz; stop it after."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    environment = _environment(settings, base_url, env)
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603  # our own command line
            [sys.executable, "-m", "uvicorn", "community.app:app", "--port", str(port),
             "--no-access-log"],
            cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the site did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _environment(settings: Settings, base_url: str, env: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "SECRET_KEY": settings.secret_key,
        "BASE_URL": base_url,
        "EMAIL_BACKEND": "console",
        **env,
    }


def start_worker(
    settings: Settings, base_url: str, output: Path, **env: str
) -> subprocess.Popen[bytes]:
    """`python -m community worker` on the tests' database; standard output (the console
    email) goes to `output`, standard error (the log) to `output` with `.err` added."""
    with output.open("ab") as out, output.with_name(output.name + ".err").open("ab") as err:
        return subprocess.Popen(  # our own command line
            [sys.executable, "-m", "community", "worker"],
            cwd=ROOT, env=_environment(settings, base_url, env), stdout=out, stderr=err,
        )  # fmt: skip
