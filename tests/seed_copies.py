"""The demo seed made once per worker and copied into each test's database.

Nearly every test builds an app on a database of its own and seeds the demo data into it
(``seeded_app``): the session's keys, the demo platform and its link, the passport demo's
frameworks and training types. Seeding through the app's services took some 11 to 25 ms of a
worker's CPU a test (more on PostgreSQL, where the server works too), the same rows every time.
So a worker's tests seed as before until the same settings are seeded a second time: those rows
are kept, and each later test with those settings gets a copy of them instead:

- on SQLite, the seeded file is kept beside the empty template and copied over the test's fresh
  copy of the template (one file copy either way);
- on PostgreSQL, the seeded rows are kept in a schema of their own in the worker's test
  database (``learnpass_seed``, out of the public schema the app and the tests read) and put
  back by one statement batch after the database is emptied (tests/pg_databases.py), with the
  sequences where seeding left them.

A seed depends on nothing of the test but the app's settings and its address: the demo
platform's issuer and endpoints hold the tool's port (free per test). The rows are kept with the
port they were seeded on and the copy gets the test's own in those four columns; a seed holding
its address anywhere else is not kept (each test then seeds, as before). Kept per set of settings
a test gives ``seeded_app`` and per day (what is seeded carries its date), and only for a
database that nothing had used yet: ``tests/test_seed_copies.py`` compares a copy with a seed.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path
from typing import Any

# The demo platform's columns that hold the tool's address (lti_tool/demo/seed.py).
ADDRESS_COLUMNS = ("issuer", "auth_login_url", "auth_token_url", "key_set_url")
# Seeds kept per process on SQLite (a test that gives settings of its own seeds one more).
MOST_KEPT = 8


def settings_key(overrides: dict[str, Any]) -> str:
    """What a seed may depend on besides the address: the settings the test gives and the day."""
    return repr((dt.date.today().isoformat(), sorted((k, repr(v)) for k, v in overrides.items())))


def base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def address_fix(old_port: int, new_port: int) -> str:
    """The UPDATE that gives the copied demo platform the test's own address."""
    old, new = base_url(old_port), base_url(new_port)
    sets = ", ".join(f"{c} = replace({c}, '{old}/', '{new}/')" for c in ADDRESS_COLUMNS)
    return f"UPDATE platform SET {sets}"


class SqliteSeeds:
    """Seeded SQLite files of this process, by settings: (file, port it was seeded on)."""

    def __init__(self) -> None:
        self.kept: dict[str, tuple[Path, int]] = {}
        self.seen = Seen()
        self.folder: Path | None = None  # beside the session's empty template
        self.files = 0  # seed files made: the next one's number

    def put(self, database_url: str, key: str, port: int) -> bool:
        """Copy the kept seed over the test's fresh database; False when there is none."""
        found = self.kept.get(key)
        if found is None:
            return False
        path, seeded_port = found
        target = database_url.removeprefix("sqlite:///")
        shutil.copyfile(path, target)
        if seeded_port != port:
            conn = sqlite3.connect(target)
            try:
                with conn:
                    conn.execute(address_fix(seeded_port, port))
            finally:
                conn.close()
        return True

    def wants(self, key: str) -> bool:
        """Whether the seed a test just made for ``key`` is to be kept (then ``keep``)."""
        return self.folder is not None and key not in self.kept and self.seen.again(key)

    def keep(self, database_url: str, key: str, port: int) -> None:
        """Keep the test's database, seeded and not used yet (its engine disposed: the file holds
        every row), as the seed for the settings ``key``; the seed of the settings seen least is
        let go when MOST_KEPT are kept."""
        assert self.folder is not None
        source = Path(database_url.removeprefix("sqlite:///"))
        conn = sqlite3.connect(source)
        try:
            elsewhere = holds_address_elsewhere(conn, base_url(port))
        finally:
            conn.close()
        if elsewhere:
            self.seen.never(key)  # put() could not give a copy the test's address: tests seed
            return
        if len(self.kept) >= MOST_KEPT:
            least = min(self.kept, key=self.seen.count)
            self.kept.pop(least)[0].unlink()
        path = self.folder / f"seed-{self.files}.db"
        self.files += 1
        shutil.copyfile(source, path)
        self.kept[key] = (path, port)


class Seen:
    """How often each set of settings was seeded: a seed is kept the second time (settings that
    a single test gives, such as the address of a server of its own, are never kept)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def again(self, key: str) -> bool:
        if self.counts.get(key) == -1:
            return False
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key] >= 2

    def count(self, key: str) -> int:
        return self.counts.get(key, 0)

    def never(self, key: str) -> None:
        self.counts[key] = -1


def holds_address_elsewhere(conn: sqlite3.Connection, address: str) -> bool:
    """Whether a table other than the demo platform's holds the tool's address as text."""
    names = [
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if row[0] != "platform"
    ]
    for name in names:
        for row in conn.execute(f'SELECT * FROM "{name}"'):  # noqa: S608 - our own table names
            if any(isinstance(v, str) and address in v for v in row):
                return True
    return False
