"""The demo city served by a real Django process, on its own database, for a real browser.

Used by the browser tests (tests/browser/conftest.py) and by the screenshot script
(docs/screenshots/take.py). The database is migrated and loaded with `load_demo` once;
a copy is kept so that `reset()` can bring the demo back to its loaded state after a
test has written to it (a member admitted, a quota changed).

SQLite: a file in a temporary folder. PostgreSQL (when DATABASE_URL names one): a
database called `<that name>_browser`, dropped and created here, plus `<..>_snapshot`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "unionboard-demo"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Variables of the caller that must not leak into the demo process.
UNSET = ("DATABASE_REPLICA_URL", "LANGUAGE_CODE", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _with_db_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


class DemoServer:
    """A migrated, demo-loaded database and a `runserver` process on a free port."""

    def __init__(self, workdir: Path, database_url: str | None = None, suffix: str = "browser"):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / "server.log"
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.dirty = False
        url = database_url or ""
        self.postgres = url.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            base_name = urlsplit(url).path.lstrip("/") or "unionboard"
            self.db_name = f"{base_name}_{suffix}"
            self.snapshot_name = f"{self.db_name}_snapshot"
            self.database_url = _with_db_name(url, self.db_name)
            self._admin_url = _with_db_name(url, "postgres")
        else:
            self.db_path = self.workdir / "demo.sqlite3"
            self.snapshot_path = self.workdir / "demo-snapshot.sqlite3"
            self.database_url = f"sqlite:///{self.db_path}"

    # -- the database ------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in UNSET}
        env.update(
            DATABASE_URL=self.database_url,
            DEBUG="1",  # the demo passwords exist only with DEBUG on
            DJANGO_SETTINGS_MODULE="unionboard.settings",
            PYTHONUNBUFFERED="1",
        )
        return env

    def _manage(self, *args: str) -> None:
        with open(self.log_path, "a") as log:
            log.write(f"$ manage.py {' '.join(args)}\n")
            log.flush()
            result = subprocess.run(
                [sys.executable, "manage.py", *args], cwd=REPO, env=self._env(),
                stdout=log, stderr=subprocess.STDOUT, check=False,
            )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{self.log_tail()}")

    def _sql(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self._admin_url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def prepare(self) -> None:
        """Create the database, migrate it, load the demo city and keep a copy of it."""
        if self.postgres:
            self._sql(
                f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)',
                f'DROP DATABASE IF EXISTS "{self.snapshot_name}" WITH (FORCE)',
                f'CREATE DATABASE "{self.db_name}"',
            )
        else:
            self.db_path.unlink(missing_ok=True)
        self._manage("migrate", "--no-input", "-v", "0")
        self._manage("load_demo")
        if self.postgres:
            self._sql(f'CREATE DATABASE "{self.snapshot_name}" TEMPLATE "{self.db_name}"')
        else:
            shutil.copyfile(self.db_path, self.snapshot_path)

    def _restore(self) -> None:
        if self.postgres:
            self._sql(
                f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)',
                f'CREATE DATABASE "{self.db_name}" TEMPLATE "{self.snapshot_name}"',
            )
        else:
            shutil.copyfile(self.snapshot_path, self.db_path)

    def drop(self) -> None:
        """Remove the databases this server made."""
        if self.postgres:
            self._sql(
                f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)',
                f'DROP DATABASE IF EXISTS "{self.snapshot_name}" WITH (FORCE)',
            )

    # -- the server process ------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        """Serve the demo with `runserver --noreload` and wait until it answers."""
        self.port = free_port()
        log = open(self.log_path, "a")  # noqa: SIM115 - kept open for the process's lifetime
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks",
             f"127.0.0.1:{self.port}"],
            cwd=REPO, env=self._env(), stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the demo server stopped:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/accounts/login/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the demo server did not answer within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def reset(self) -> None:
        """Bring the demo back to the state `load_demo` left it in (restarts the server)."""
        self.stop()
        self._restore()
        self.start()
        self.dirty = False

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class ProductionServer:
    """The demo's database served as in production: DEBUG off, gunicorn, and static files
    collected with whitenoise's compressing storage, so a browser gets what a deployment
    sends (hashed names, brotli or gzip), which `runserver` in DEBUG does not show.

    The demo passwords were set when the demo was loaded (with DEBUG on), so they log in
    here too.
    """

    def __init__(self, demo: DemoServer, **env: str):
        self.demo = demo
        self.extra_env = env
        self.static_root = demo.workdir / "collected-static"
        self.log_path = demo.workdir / "production.log"
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        env = self.demo._env()
        env.update(
            DEBUG="0",
            SECRET_KEY="production-like-test-server-" + "k" * 40,
            ALLOWED_HOSTS="127.0.0.1",
            STATIC_ROOT=str(self.static_root),
            # plain HTTP on the loopback: no redirect to HTTPS, cookies sent without TLS
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            SECURE_HSTS_SECONDS="0",
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60) -> None:
        """Collect (and compress) the static files, then serve with gunicorn."""
        with open(self.log_path, "a") as log:
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--no-input", "--clear", "-v", "0"],
                cwd=REPO, env=self._env(), stdout=log, stderr=subprocess.STDOUT, check=True,
            )
        self.port = free_port()
        log = open(self.log_path, "a")  # noqa: SIM115 - kept open for the process's lifetime
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "unionboard.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "2", "--access-logfile", "-"],
            cwd=REPO, env=self._env(), stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/accounts/login/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
