"""A project-local PostGIS cluster started from the machine's PostgreSQL binaries.

Used by ./scripts/run (kept under .data/) and ./scripts/test (a throwaway one).
PostgreSQL refuses to run as root, so when we are root the cluster belongs to the
`postgres` system user and its commands run through `runuser`.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from gis_service.core.private_files import write_private

PG_MAJOR = "15"
POSTGIS_PACKAGE = f"postgresql-{PG_MAJOR}-postgis-3"
DB_NAME = "gis"
DB_USER = "gis"  # the cluster's owner: migrations and data loading
SERVICE_USER = "gis_app"  # what the service connects as (see ops/db_roles.py)


class SetupError(RuntimeError):
    """A setup problem with a one-line explanation and the fix."""


def bindir() -> Path:
    """The PostgreSQL server binaries (PG_BIN, else Debian's): the embedded cluster's, and
    pgbench and pg_basebackup for the benchmarks and the replica test."""
    candidates = [os.environ.get("PG_BIN"), f"/usr/lib/postgresql/{PG_MAJOR}/bin"]
    for c in candidates:
        if c and (Path(c) / "pg_ctl").exists():
            return Path(c)
    raise SetupError(
        f"PostgreSQL {PG_MAJOR} server binaries were not found. Install them with "
        f"`apt-get install postgresql-{PG_MAJOR}` (or set PG_BIN), set DATABASE_URL to an "
        "existing PostGIS database, or deploy with docker/compose.yaml."
    )


def _sharedir() -> Path:
    out = subprocess.run([str(bindir() / "pg_config"), "--sharedir"], capture_output=True, text=True)
    if out.returncode == 0 and out.stdout.strip():
        return Path(out.stdout.strip())
    return Path(f"/usr/share/postgresql/{PG_MAJOR}")


def postgis_installed() -> bool:
    return (_sharedir() / "extension" / "postgis.control").exists()


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_postgis(log=_to_stderr) -> None:
    """Install PostGIS with apt when missing and we are root; otherwise explain. Progress
    goes to stderr: `db embedded start` prints only the URL on stdout, which scripts read."""
    if postgis_installed():
        return
    if os.geteuid() != 0:
        raise SetupError(
            f"PostGIS is not installed. Run `sudo apt-get install {POSTGIS_PACKAGE}` and try "
            "again, set DATABASE_URL to an existing PostGIS database, or use docker/compose.yaml."
        )
    log(f"Installing {POSTGIS_PACKAGE} with apt (first run only)...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", POSTGIS_PACKAGE]):
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-1:]
            raise SetupError(f"`{' '.join(cmd)}` failed: {' '.join(tail)}")
    if not postgis_installed():
        raise SetupError(f"{POSTGIS_PACKAGE} installed but postgis.control is still missing.")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


@dataclass
class EmbeddedPostgres:
    """A cluster in `root` (pgdata/, state.json, postgres.log, socket/)."""

    root: Path
    durable: bool = True  # throwaway test clusters turn fsync off

    def __post_init__(self) -> None:
        self.root = self._reachable_root(self.root.resolve())
        self.pgdata = self.root / "pgdata"
        self.state_file = self.root / "state.json"
        self.logfile = self.root / "postgres.log"
        self.sockdir = self.root / "socket"

    def _reachable_root(self, preferred: Path) -> Path:
        """The cluster folder, or a stand-in the postgres user can reach.

        As root, the cluster belongs to `postgres`, which cannot enter a project
        cloned under a private folder such as /root. Then the cluster lives in
        /var/lib/gis-service/clusters/<hash of the preferred path> instead, and a
        note in the preferred folder says where.
        """
        if os.geteuid() != 0:
            return preferred
        preferred.mkdir(parents=True, exist_ok=True)
        pointer = preferred / "LOCATION"
        if pointer.exists():
            return Path(pointer.read_text().strip())
        self._owner()
        probe = subprocess.run(
            ["runuser", "-u", "postgres", "--", "test", "-x", str(preferred)], capture_output=True
        )
        if probe.returncode == 0:
            return preferred
        digest = hashlib.sha1(str(preferred).encode()).hexdigest()[:12]
        stand_in = Path("/var/lib/gis-service/clusters") / digest
        stand_in.mkdir(parents=True, exist_ok=True)
        os.chmod(stand_in.parent, 0o755)
        os.chmod(stand_in.parent.parent, 0o755)
        pointer.write_text(f"{stand_in}\n")
        return stand_in

    # -- running commands as the cluster owner -------------------------------------------
    def _owner(self) -> str | None:
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            subprocess.run(
                [
                    "useradd",
                    "--system",
                    "--home-dir",
                    "/var/lib/postgresql",
                    "--shell",
                    "/bin/bash",
                    "postgres",
                ],
                check=True,
            )
        return "postgres"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = list(args)
        owner = self._owner()
        if owner:
            cmd = ["runuser", "-u", owner, "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if check and result.returncode != 0:
            detail = (result.stderr or result.stdout).strip()
            raise SetupError(f"`{' '.join(args[:2])}` failed: {detail[-500:]}")
        return result

    def _prepare_dirs(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.sockdir.mkdir(exist_ok=True)
        owner = self._owner()
        if owner:
            info = pwd.getpwnam(owner)
            for path in (self.root, self.sockdir):
                os.chown(path, info.pw_uid, info.pw_gid)
            if self._run("test", "-w", str(self.root), check=False).returncode != 0:
                raise SetupError(
                    f"The postgres user cannot write to {self.root}; make its parents "
                    "traversable (chmod o+x) or set DATABASE_URL."
                )

    # -- state ---------------------------------------------------------------------------
    def _state(self) -> dict:
        return json.loads(self.state_file.read_text()) if self.state_file.exists() else {}

    def _save_state(self, state: dict) -> None:
        write_private(self.state_file, json.dumps(state))

    @property
    def url(self) -> str:
        """The owner's URL."""
        s = self._state()
        return f"postgresql://{DB_USER}:{s['password']}@127.0.0.1:{s['port']}/{DB_NAME}"

    @property
    def service_url(self) -> str:
        """The service role's URL (the role exists once the cluster has been started)."""
        s = self._state()
        return f"postgresql://{SERVICE_USER}:{s['service_password']}@127.0.0.1:{s['port']}/{DB_NAME}"

    def initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def running(self) -> bool:
        if not self.initialised():
            return False
        return (
            self._run(str(bindir() / "pg_ctl"), "status", "-D", str(self.pgdata), check=False).returncode == 0
        )

    # -- lifecycle -----------------------------------------------------------------------
    def init(self) -> None:
        self._prepare_dirs()
        password = secrets.token_urlsafe(18)
        pwfile = self.root / "pwfile"
        write_private(pwfile, password + "\n")
        owner = self._owner()
        if owner:
            info = pwd.getpwnam(owner)
            os.chown(pwfile, info.pw_uid, info.pw_gid)
        pwfile.chmod(0o600)
        try:
            self._run(
                str(bindir() / "initdb"),
                "-D",
                str(self.pgdata),
                "-U",
                DB_USER,
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "--encoding=UTF8",
                "--locale=C",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        self._save_state({"password": password, "port": None})

    def start(self) -> str:
        """Start (initialising on first use) and return the database URL."""
        ensure_postgis()
        if not self.initialised():
            self.init()
        state = self._state()
        if not self.running():
            # Keep the last port when it is still free: clients (and a running service)
            # reconnect to the same address after a restart.
            last = state.get("port")
            port = last if last and not port_in_use("127.0.0.1", last) else free_port()
            opts = [
                f"-p {port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.sockdir}",
                "-c shared_buffers=256MB",
                "-c max_connections=200",
            ]
            if not self.durable:
                opts += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
            self._run(
                str(bindir() / "pg_ctl"),
                "start",
                "-D",
                str(self.pgdata),
                "-w",
                "-t",
                "60",
                "-l",
                str(self.logfile),
                "-o",
                " ".join(opts),
            )
            state["port"] = port
            self._save_state(state)
        self._ensure_database()
        return self.url

    def _ensure_database(self) -> None:
        import psycopg

        s = self._state()
        if "service_password" not in s:  # clusters made before the service had its own role
            s["service_password"] = secrets.token_urlsafe(18)
            self._save_state(s)
        conninfo = f"host=127.0.0.1 port={s['port']} user={DB_USER} password={s['password']}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(conninfo + " dbname=postgres", autocommit=True) as con:
                    exists = con.execute(
                        "SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)
                    ).fetchone()
                    if not exists:
                        con.execute(f"CREATE DATABASE {DB_NAME}")
                    self._ensure_service_role(con, s["service_password"])
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    @staticmethod
    def _ensure_service_role(con, password: str) -> None:
        from psycopg import sql

        known = con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (SERVICE_USER,)).fetchone()
        verb = "ALTER" if known else "CREATE"
        con.execute(
            sql.SQL(
                verb + " ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS "
                "PASSWORD {}"
            ).format(sql.Identifier(SERVICE_USER), sql.Literal(password))
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the cluster; mode "immediate" is a crash as far as the data is concerned."""
        if self.running():
            self._run(str(bindir() / "pg_ctl"), "stop", "-D", str(self.pgdata), "-m", mode, "-w")

    def destroy(self, preferred: Path | None = None) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
        if preferred is not None:
            shutil.rmtree(preferred, ignore_errors=True)


class ClusterUsers:
    """Which running processes use a cluster: one lease file per process id. Only the
    last user stops the cluster, so that a second `./scripts/run` on another port,
    stopped with Ctrl+C, leaves the first one's database running."""

    def __init__(self, cluster: EmbeddedPostgres) -> None:
        self.folder = cluster.root / "users"

    def join(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / str(os.getpid())).touch()

    def leave(self) -> bool:
        """Drop this process's lease; True when no other live process holds one."""
        (self.folder / str(os.getpid())).unlink(missing_ok=True)
        return not self.others()

    def others(self) -> list[int]:
        alive = []
        for lease in self.folder.glob("*") if self.folder.exists() else []:
            pid = int(lease.name) if lease.name.isdigit() else 0
            try:
                os.kill(pid, 0)
                alive.append(pid)
            except (OSError, ValueError):
                lease.unlink(missing_ok=True)  # a process that died without leaving
        return alive


def watch(cluster: EmbeddedPostgres, log, stop, every_s: float = 2.0) -> None:
    """Restart the cluster whenever its postmaster has died, until `stop` is set (a
    threading.Event); run in a thread beside the server."""
    while not stop.wait(every_s):
        if cluster.running():
            continue
        log("The embedded PostGIS stopped unexpectedly; restarting it.")
        try:
            cluster.start()
            log("The embedded PostGIS is running again.")
        except Exception as exc:  # keep watching: the next round tries again
            log(f"Restarting the embedded PostGIS failed: {exc}")


def running_default(project_root: Path) -> EmbeddedPostgres | None:
    """The project's embedded cluster when it is running, else None (so that the command
    line finds the database `./scripts/run` serves)."""
    folder = default_root(project_root)
    if not (folder / "state.json").exists() and not (folder / "LOCATION").exists():
        return None
    cluster = EmbeddedPostgres(folder)
    return cluster if cluster.initialised() and cluster.running() else None


def default_root(project_root: Path) -> Path:
    """The embedded cluster's folder: one per home unit, so that choosing another unit
    never mixes its reference data into the first one's database."""
    from gis_service.core.settings import DEFAULT_HOME_UNIT, get_settings

    code = get_settings().home_unit_code
    return project_root / ".data" / ("postgres" if code == DEFAULT_HOME_UNIT else f"postgres-{code}")


def throwaway_root() -> Path:
    token = hashlib.sha1(f"{os.getpid()}-{time.time()}".encode()).hexdigest()[:10]
    return Path("/tmp") / f"gis-service-test-{token}"
