"""The command line, run as a person runs it: in a fresh directory with a fresh database."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    full_env.update(env or {})
    return subprocess.run(  # noqa: S603  # our own command line
        [sys.executable, "-m", "community", *args],
        cwd=cwd,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_bad_setting_stops_with_one_line_naming_it(tmp_path: Path) -> None:
    result = run(["migrate"], tmp_path, {"RATE_LIMITS": "sometimes"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "community: RATE_LIMITS must be one of default, off, not 'sometimes'."
    ]


def test_worker_without_secret_key_refuses_to_start(tmp_path: Path) -> None:
    result = run(["worker"], tmp_path, {"SECRET_KEY": ""})
    assert result.returncode == 2
    assert "SECRET_KEY must be set" in result.stderr


def test_migrate_seed_and_createadmin(tmp_path: Path) -> None:
    assert run(["migrate"], tmp_path).returncode == 0
    assert (tmp_path / "community.sqlite3").exists()
    seeded = run(["seed"], tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert (
        "added 30 demo members, 5 groups, 4 discussions, 6 events, a weekly series of 6 "
        "sessions, 2 programmes and 5 stories"
    ) in seeded.stdout
    again = run(["seed"], tmp_path)
    assert "already has members" in again.stdout

    promoted = run(["createadmin", "Benjamin.Tan@demo.community.test"], tmp_path)
    assert promoted.returncode == 0, promoted.stderr
    assert "promoted admin benjamin.tan@demo.community.test" in promoted.stdout

    weak = run(["createadmin", "new@example.org", "--password-stdin"], tmp_path, stdin="short\n")
    assert weak.returncode == 2
    assert "password: Use at least 10 characters." in weak.stderr
    created = run(
        ["createadmin", "new@example.org", "--password-stdin", "--name", "New Admin"],
        tmp_path,
        stdin="a long admin passphrase\n",
    )
    assert created.returncode == 0, created.stderr
    assert "created admin new@example.org" in created.stdout


def _serve(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    full_env.update(env)
    process = subprocess.Popen(  # noqa: S603  # our own command line
        [sys.executable, "-m", "community", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, port


def _wait_for(url: str, process: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stdout.read() if process.stdout else "exited")
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer in 30 s")


def test_serve_runs_the_site_and_healthz(tmp_path: Path) -> None:
    process, port = _serve(tmp_path, {})
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/healthz", process)
        assert response.status_code == 200
        home = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert "communities of practice" in home.text
        # over plain HTTP the cookies cannot be Secure, or no browser would send them back
        assert "secure" not in home.headers["set-cookie"].lower()
    finally:
        process.terminate()
        process.communicate(timeout=20)
    assert (tmp_path / ".community-secret").exists()


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DATABASE_URL=f"postgres://nobody@127.0.0.1:{free_port()}/none",
        SECRET_KEY="a-secret-key-for-this-test",
    )
    process = subprocess.Popen(  # noqa: S603  # the Procfile's web command
        [sys.executable, "-m", "uvicorn", "community.app:app", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/healthz", process)
        assert response.status_code == 503
        assert response.json() == {"status": "database unavailable"}
    finally:
        process.terminate()
        process.communicate(timeout=20)


def test_seed_with_sizes_writes_content_in_bulk(tmp_path: Path) -> None:
    seeded = run(["seed", "--members", "40", "--threads", "20", "--posts", "300"], tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert "added 40 members, 20 groups" in seeded.stdout and "300 posts" in seeded.stdout
    assert "posts" in seeded.stderr  # the progress bar
    (tmp_path / "other").mkdir()
    refused = run(["seed", "--threads", "10", "--posts", "5"], tmp_path / "other")
    assert refused.returncode == 2 and "posts >= threads" in refused.stderr


def _register_through_the_page(port: int) -> None:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        form = client.get("/register")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token, form.text
        answer = client.post(
            "/register",
            data={
                "csrf_token": token.group(1),
                "email": "porter@example.org",
                "display_name": "Pat Porter",
                "password": "a calm and steady practice",
            },
        )
        assert answer.status_code in (200, 303), answer.text


def _output_until(process: subprocess.Popen[str], text: str) -> str:
    """What the server printed until a line with `text` (the console email backend prints
    each email; the worker sends within seconds)."""
    assert process.stdout is not None
    seen = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError("".join(seen))


def test_serve_on_another_port_links_to_that_port(tmp_path: Path) -> None:
    # #22: with no BASE_URL, the verification link printed for a new user on --port 8300
    # pointed at port 8000
    process, port = _serve(tmp_path, {"BASE_URL": ""})
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process)
        _register_through_the_page(port)
        output = _output_until(process, "/verify?token=")
    finally:
        process.terminate()
        process.communicate(timeout=20)
    assert f"links in emails go to http://127.0.0.1:{port}/" in output
    assert f"http://127.0.0.1:{port}/verify?token=" in output


def test_serve_keeps_a_base_url_that_is_set(tmp_path: Path) -> None:
    # DEBUG: an https BASE_URL makes the cookies Secure, which this plain-HTTP client drops
    process, port = _serve(tmp_path, {"BASE_URL": "https://community.example.org", "DEBUG": "1"})
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process)
        _register_through_the_page(port)
        output = _output_until(process, "/verify?token=")
    finally:
        process.terminate()
        process.communicate(timeout=20)
    assert "links in emails go to https://community.example.org/" in output
    assert "https://community.example.org/verify?token=" in output
