"""Service configuration, read from the environment (and an optional .env file)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MAX_AUTO_WORKERS = 4
DEFAULT_HOME_UNIT = "150600"  # Ordos


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


# A list set in the environment as comma-separated values (a,b,c).
CommaList = Annotated[list[str], NoDecode, BeforeValidator(_split_csv)]


class DatabaseSettings(BaseModel):
    """Where the data is."""

    database_url: str | None = Field(
        default=None, description="postgresql://user:pass@host:port/db of a PostGIS database"
    )
    # The role that owns the schema: migrations, data loading and backups connect as it.
    # The service itself connects as DATABASE_URL's role, which may only read and write
    # rows (and only append to the audit log). Unset: one role does both (not recommended).
    database_owner_url: str | None = None
    # A streaming replica of the database: tiles, items, exports and searches read from it
    # whenever it has caught up with the primary (see core/read_replica.py).
    database_read_url: str | None = None
    db_pool_size: int = 10


class ServingSettings(BaseModel):
    """How the service is reached and what one request or worker may take."""

    host: str = "127.0.0.1"
    port: int = 8000
    # uvicorn worker processes; 0: one per core, at most MAX_AUTO_WORKERS (each holds up to
    # 2 x DB_POOL_SIZE + 1 database connections).
    workers: int = Field(default=0, ge=0)
    # The address users reach the service at (https://mzj.example.gov.cn/gis): every absolute
    # URL the service writes starts with it. Without it, only ALLOWED_HOSTS may be named in
    # a request's Host ("*" accepts any, for a deployment whose proxy checks names).
    public_url: str | None = Field(default=None, pattern=r"^https?://[^/?#\s]+(/[^?#\s]*)?$")
    allowed_hosts: CommaList = ["localhost", "127.0.0.1", "::1"]
    # Addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed
    # (the client's address for the sign-in throttle and the audit, the scheme for links).
    trusted_proxies: CommaList = []
    # The root certificate phones install to trust this deployment (Caddy's internal CA,
    # or the LAN pilot's own), offered at /trust; unset: the certificate is a public CA's.
    trust_cert_file: Path | None = None
    # What one request may send (413 beyond): JSON bodies are parsed in memory, uploads
    # are spooled to disk. A vector file is at most 50 MB, a photo PHOTO_MAX_BYTES.
    max_json_body_mb: int = Field(default=16, ge=1, le=1024)
    max_upload_body_mb: int = Field(default=120, ge=1, le=4096)
    # A worker resident past this gives memory back, then is replaced gracefully (0: never).
    worker_max_rss_mb: int = Field(default=1024, ge=0)


class AccessSettings(BaseModel):
    """Who may sign in and read what, and how guessing is slowed."""

    password_min_length: int = Field(default=12, ge=8, le=128)
    token_ttl_minutes: int = Field(default=12 * 60, ge=1)
    # how long an invitation link to choose one's password stays valid
    invitation_days: int = Field(default=7, ge=1, le=90)
    # After this many failed sign-ins for one user name within the window, further
    # attempts are refused (429) until the oldest failure leaves the window.
    sign_in_max_failures: int = Field(default=5, ge=1)
    sign_in_window_minutes: int = Field(default=15, ge=1)
    # ... and from one client address, across accounts (guessing many accounts). Past it,
    # devices the account has signed in from before go on as usual; unknown ones are
    # slowed to one attempt per SIGN_IN_SLOW_SECONDS from that address, and refused only
    # when that queue is longer than SIGN_IN_MAX_WAIT_SECONDS.
    sign_in_max_failures_per_client: int = Field(default=30, ge=1)
    sign_in_slow_seconds: float = Field(default=2.0, ge=0, le=60)
    sign_in_max_wait_seconds: float = Field(default=10.0, ge=0, le=120)
    # Layers that anonymous callers may read (map, items, tiles). Everything else
    # needs a signed-in user.
    anonymous_layers: CommaList = []
    # How far an account of a unit reads: "deployment" (every record of the deployment) or
    # "unit" (the records of its own unit and below, as it writes; auth/read_scopes.py).
    read_scope: Literal["deployment", "unit"] = "deployment"
    demo_mode: bool = False
    # /metrics (Prometheus): a bearer token for the monitoring system, or callers from these
    # addresses (the local ones by default).
    metrics_token: str | None = None
    metrics_allowed: CommaList = ["127.0.0.1", "::1"]


class UnitSettings(BaseModel):
    """The unit served, its reference data and the checks on geometry brought in."""

    # The unit this deployment serves: a county, prefecture or province code, or 100000 for
    # the whole country. The default (Ordos) has its reference data committed in
    # layers/data/; any other unit's is built from the registry packages at setup.
    home_unit_code: str = Field(default=DEFAULT_HOME_UNIT, pattern=r"^[1-9][0-9]{5}$")
    # Where that reference data lives (default: layers/data/ for Ordos, otherwise
    # .data/reference/<code>/).
    reference_dir: Path | None = None
    layers_dir: Path = PROJECT_ROOT / "layers"
    boundary_tolerance_m: float = Field(default=50, gt=0, le=1000)
    # An imported marker farther than this from its (derived) line is rejected.
    marker_line_tolerance_m: float = Field(default=100, gt=0, le=5000)
    # Vertices an uploaded vector file may carry, per feature and in all: a surveyed line
    # of 200 km at one vertex every two metres fits; a 10^6-vertex scribble is refused with its count.
    max_vertices_per_feature: int = Field(default=100_000, ge=100)
    max_vertices_per_file: int = Field(default=500_000, ge=100)


class MapSettings(BaseModel):
    """What the map and its clients are served: base map, tiles and pages of features."""

    web_map_dir: Path = PROJECT_ROOT / "web_map"
    tianditu_key: str | None = None  # optional online base map; the map works without it
    # The bureau's own base map: an MBTiles or PMTiles file (raster or vector tiles). Without
    # one, the base map is drawn from the reference data (outlines and located places).
    basemap_file: Path | None = None
    # Vector tiles kept in memory per worker (keyed by data version, so never stale).
    tile_cache_mb: int = Field(default=64, ge=0, le=4096)
    # Pages of features kept in memory per worker (keyed by data version, so never stale).
    page_cache_mb: int = Field(default=32, ge=0, le=4096)


class FieldWorkSettings(BaseModel):
    """Inspectors' work: visits, photos, smart markers, offline areas, joint inspections."""

    photo_dir: Path = PROJECT_ROOT / ".data" / "photos"
    photo_max_bytes: int = Field(default=15 * 1024 * 1024, ge=1024)
    photo_max_pixels: int = Field(default=40_000_000, ge=10_000)  # decompression-bomb guard
    photo_max_side_px: int = Field(default=2560, ge=256)  # stored photos are scaled to this
    # An inspector may correct the hand-filled fields of a visit this long after sending it.
    visit_correction_hours: int = Field(default=72, ge=0, le=24 * 365)
    # The visit form waits for a position at least this good (averaging fixes meanwhile)
    # before it saves one without the inspector's explicit "no better fix here".
    gnss_max_accuracy_m: float = Field(default=30, gt=0, le=10_000)
    telemetry_tilt_deg: float = 5.0  # a smart marker tilted past this raises an alert
    telemetry_drift_m: float = 0.30  # ... or moved this far from its registered position
    telemetry_battery_pct: float = 15.0
    # Offline areas: tiles one manifest may list (an estimate from the area's size refuses a
    # larger one at once, with the zoom that would fit), and manifests one user may have
    # in preparation at the same time.
    offline_max_tiles: int = Field(default=30_000, ge=100)
    offline_manifests_per_user: int = Field(default=2, ge=1, le=10)
    # Joint inspection interval per line level, in years (provincial lines: every 5 years).
    joint_inspection_years: dict[str, int] = {"province": 5, "city": 5, "county": 5}
    joint_inspection_due_soon_days: int = 180


class PlanningSettings(BaseModel):
    """Planners' defaults: coverage radius and the plan's targets."""

    # 30 km is the historical cremation-zone radius in Inner Mongolia (unverified)
    coverage_radius_km: float = Field(default=30, gt=0, le=500)
    public_welfare_sites_target: int = Field(default=8, ge=1)


class OperationsSettings(BaseModel):
    """Logs and the audit chain's key."""

    log_level: str = "INFO"
    log_json: bool = True
    log_file: Path | None = None  # also append the JSON log lines here
    # The audit chain's HMAC key (hex) and its signed checkpoints live outside the database.
    # Without AUDIT_KEY the key is read from AUDIT_DIR/key, created at setup.
    audit_key: str | None = None
    audit_dir: Path = PROJECT_ROOT / ".data" / "audit"


# in the order the README's configuration tables give them
CONCERNS = (
    DatabaseSettings,
    ServingSettings,
    AccessSettings,
    UnitSettings,
    MapSettings,
    FieldWorkSettings,
    PlanningSettings,
    OperationsSettings,
)


class Settings(*CONCERNS, BaseSettings):
    """Everything an operator can set, one concern per base class. Names are the
    environment variable names."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    @property
    def reference_data_dir(self) -> Path:
        if self.reference_dir:
            return self.reference_dir
        if self.home_unit_code == DEFAULT_HOME_UNIT:
            return self.layers_dir / "data"
        return PROJECT_ROOT / ".data" / "reference" / self.home_unit_code

    @property
    def worker_count(self) -> int:
        return self.workers or min(os.cpu_count() or 1, MAX_AUTO_WORKERS)

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL with the psycopg 3 driver named, as SQLAlchemy wants it."""
        if not self.database_url:
            raise RuntimeError(
                "DATABASE_URL is not set. Use ./scripts/run for an embedded database, "
                "or set DATABASE_URL=postgresql://user:password@host:5432/dbname"
            )
        return _with_driver(self.database_url)

    @property
    def read_sqlalchemy_url(self) -> str | None:
        return _with_driver(self.database_read_url) if self.database_read_url else None

    @property
    def owner_url(self) -> str:
        """The schema owner's URL (plain postgresql://), falling back to DATABASE_URL."""
        url = self.database_owner_url or self.database_url
        if not url:
            self.sqlalchemy_url  # noqa: B018 - raises the explanation
        if self.database_url and _database_of(url) != _database_of(self.database_url):
            raise RuntimeError(
                "DATABASE_URL and DATABASE_OWNER_URL name different databases; they must be "
                "two roles of the same one."
            )
        return url

    def as_owner(self) -> Settings:
        """These settings with the owner's connection, for migrations and data loading."""
        return self.model_copy(update={"database_url": self.owner_url})


def _database_of(url: str) -> tuple:
    from psycopg.conninfo import conninfo_to_dict

    parts = conninfo_to_dict(url.replace("postgresql+psycopg://", "postgresql://", 1))
    return parts.get("host"), str(parts.get("port", "5432")), parts.get("dbname")


def _with_driver(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
