"""Every migration applies to a database in use, not only to an empty one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_each_migration_applies_to_a_database_that_holds_rows(tmp_path: Path) -> None:
    # A migration must work on a site in use, not only on an empty database (Tortoise writes
    # a new NOT NULL column without its DEFAULT, which a table with rows refuses): every
    # migration since 0015 is applied in turn to a database whose tables hold a row. (In
    # its own process: the suite's ORM stays connected to the test database.)
    done = subprocess.run(  # noqa: S603  # our own module
        [sys.executable, "-m", "tests.upgrade_check", str(tmp_path / "upgrade.sqlite3")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "forum_version [(0,)]" in done.stdout
