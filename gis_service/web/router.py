"""The Leaflet web map, its vendored libraries (from npm packages installed in
web_map/node_modules, never a CDN) and the offline API docs."""

from __future__ import annotations

import json

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from gis_service.admin_units.home import describe
from gis_service.auth.dependencies import OptionalUser
from gis_service.auth.jurisdiction import bounded
from gis_service.auth.roles import ROLES, capabilities_of, map_actions
from gis_service.core.dependencies import SessionDep, SettingsDep
from gis_service.core.public_url import app_root
from gis_service.core.settings import Settings
from gis_service.inspections.vocabulary import vocabulary as conditions_vocabulary
from gis_service.placenames.vocabulary import STAGES, STATUSES, labelled
from gis_service.web import shell

router = APIRouter(include_in_schema=False)

# URL prefix -> folder inside web_map/node_modules holding the files we serve.
VENDOR_PACKAGES = {
    "leaflet": "leaflet/dist",
    "vectorgrid": "leaflet.vectorgrid/dist",
    "proj4": "proj4/dist",
    "markercluster": "leaflet.markercluster/dist",
    "heat": "leaflet.heat/dist",
    "swagger-ui": "swagger-ui-dist",
    # traditional Mongolian script on names and signs, for machines without a Mongolian font
    "mongolian-font": "@fontsource/noto-sans-mongolian/files",
}


class MissingFrontEnd(RuntimeError):
    pass


def mount_static(app: FastAPI, settings: Settings) -> None:
    web = settings.web_map_dir
    modules = web / "node_modules"
    missing = [pkg for pkg in VENDOR_PACKAGES.values() if not (modules / pkg).is_dir()]
    if missing:
        raise MissingFrontEnd(
            f"Front-end packages are missing ({', '.join(missing)}). "
            f"Run `npm ci --prefix {web}` (./scripts/run does this)."
        )
    app.mount("/map/static", StaticFiles(directory=web / "static"), name="map-static")
    for prefix, folder in VENDOR_PACKAGES.items():
        app.mount(f"/vendor/{prefix}", StaticFiles(directory=modules / folder), name=prefix)


@router.get("/")
async def root(request: Request):
    return RedirectResponse(app_root(request) + "/map")


@router.get("/sw.js")
async def service_worker(settings: SettingsDep):
    """The service worker, with this release's shell version and file list filled in."""
    version, files = shell.manifest(settings.web_map_dir)
    body = (settings.web_map_dir / "sw.js").read_text(encoding="utf-8")
    body = body.replace("__VERSION__", version).replace("__SHELL__", json.dumps(files))
    # always revalidated, so that a new release is noticed at the next start
    return Response(body, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.get("/manifest.webmanifest")
async def web_app_manifest(settings: SettingsDep):
    """The installable app's manifest (name, icons, standalone display)."""
    return FileResponse(
        settings.web_map_dir / "manifest.webmanifest",
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )


async def _page(settings, db_session, name: str, title: str, named: str) -> HTMLResponse:
    """A page of the shell with the served unit named in its title: the service worker
    keeps this copy, so a phone that starts offline still shows its own unit's name."""
    home = await describe(db_session, settings.home_unit_code)
    body = (settings.web_map_dir / name).read_text(encoding="utf-8")
    body = body.replace(f"<title>{title}</title>", f"<title>{named.format(title=title, **home)}</title>")
    body = body.replace(f'data-i18n="app_title">{title}<', f'data-i18n="app_title">{home["name"]}{title}<')
    return HTMLResponse(body, headers={"Cache-Control": "no-cache"})


@router.get("/map")
async def web_map(settings: SettingsDep, db_session: SessionDep):
    return await _page(settings, db_session, "index.html", "界线与地名管理系统", "{name}{title}")


@router.get("/planner")
async def planner_page(settings: SettingsDep, db_session: SessionDep):
    """The planners' page: indicators, coverage and remediation beside a map."""
    return await _page(settings, db_session, "planner.html", "殡葬设施与散坟整治规划", "{title} · {name}")


@router.get("/api/v1/map-config", include_in_schema=True, tags=["map"])
async def map_config(settings: SettingsDep, user: OptionalUser, db_session: SessionDep):
    """What the web map needs before sign-in: base map key, anonymous layers, demo flag,
    the extent of the signed-in account's own unit,
    the visit form's GNSS accuracy and correction window, and the vocabularies (marker
    and sign conditions with their colours, place-name statuses, procedure stages)."""
    home = await describe(db_session, settings.home_unit_code)
    return {
        "tianditu_key": settings.tianditu_key,
        "anonymous_layers": settings.anonymous_layers,
        "demo_mode": settings.demo_mode,
        "home_code": settings.home_unit_code,  # its units are always labelled on the map
        # the unit served: its names (the page titles) and extent (the map's first view)
        "home": home,
        "home_bounds": home["bounds"] or [[18, 73], [54, 135]],
        # an account of a banner or a district opens the map on its own unit
        "unit_bounds": (await describe(db_session, user.unit_code))["bounds"] if bounded(user) else None,
        "signed_in": user is not None,
        # the tools this user's top bar offers, and what they may do (the map holds no roles)
        "actions": map_actions(user.role if user else None),
        "capabilities": capabilities_of(user.role) if user else [],
        # the visit form's field rules
        "gnss_max_accuracy_m": settings.gnss_max_accuracy_m,
        "visit_correction_hours": settings.visit_correction_hours,
        # the vocabularies, from the one place each is declared
        "vocabularies": {
            "conditions": conditions_vocabulary(),
            "place_name_statuses": labelled(STATUSES),
            "naming_stages": labelled(STAGES),
            "roles": list(ROLES),  # named in the map's own languages (i18n.js role_<name>)
        },
    }


@router.get("/docs")
async def docs(request: Request) -> HTMLResponse:
    root = app_root(request)
    return get_swagger_ui_html(
        openapi_url=f"{root}/openapi.json",
        title="Boundary and place-name GIS service API",
        swagger_js_url=f"{root}/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{root}/map/static/favicon.svg",
    )
