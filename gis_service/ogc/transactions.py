"""OGC API - Features Part 4: create, replace, update and delete on editable layers.

A layer is editable when its declaration names an `edit_table` and the caller's role is
in its `edit_roles`. Writes go to that table with the declared editable properties and
the geometry; every write is audited and held to the caller's unit (edit_rules.UNITS). A feature's ETag is a hash of its GeoJSON; a
write sent with If-Match for an older version gets 412 and changes nothing.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request, Response
from shapely.geometry import mapping
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from gis_service.audit import service as audit
from gis_service.auth.dependencies import CurrentUser, OptionalUser
from gis_service.auth.models import AppUser
from gis_service.catalogue import service as layers
from gis_service.catalogue.declarations import LayerDeclaration
from gis_service.catalogue.dependencies import ReadableLayer
from gis_service.core.dependencies import IfMatch, SessionDep
from gis_service.core.errors import BadRequest, Forbidden, NotFound
from gis_service.core.etags import check_if_match, etag_of
from gis_service.core.geojson_pages import FEATURE_SCHEMA, GeoJSONResponse, geojson_answer
from gis_service.core.public_url import public_base
from gis_service.file_intake.geojson_input import parse_geometry
from gis_service.ogc import edit_rules, schemas, write_input
from gis_service.ogc.edit_rules import DomainWrites

router = APIRouter(prefix="/ogc", tags=["OGC API - Features (edits)"])
# What a write may send for each declared type: the type itself, and for a Multi type its
# single form too (stored as a one-part Multi). Nothing else: a layer holds one type.
GEOMETRY_ACCEPTED = {
    "Point": ("Point",),
    "MultiPoint": ("Point", "MultiPoint"),
    "LineString": ("LineString",),
    "MultiLineString": ("LineString", "MultiLineString"),
    "Polygon": ("Polygon",),
    "MultiPolygon": ("Polygon", "MultiPolygon"),
}


def _editable(layer: LayerDeclaration, user: AppUser) -> DomainWrites | None:
    """The domain service that takes this layer's writes (None: the table's constraints
    are the rules); a 403 if the layer is read-only, has no rules, or the role may not edit."""
    if not layer.edit_table or layer.edit_table not in edit_rules.RULES:
        raise Forbidden(f"Collection '{layer.id}' is read-only.", f"数据集“{layer.id}”为只读。")
    if not layer.editable_by(user.role):
        raise Forbidden(
            f"Your role ({user.role}) may not edit '{layer.id}'.",
            f"您的角色（{user.role}）无权编辑“{layer.id}”。",
        )
    rules = edit_rules.RULES[layer.edit_table]
    return None if isinstance(rules, edit_rules.TableConstraints) else rules


async def _body(request: Request, layer: LayerDeclaration, *, partial: bool) -> tuple[dict, Any]:
    try:
        doc = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise BadRequest(
            "The body is not JSON; send a GeoJSON Feature.", "请求体不是 JSON，请发送 GeoJSON Feature。"
        ) from None
    if not isinstance(doc, dict) or (doc.get("type") != "Feature" and not partial):
        raise BadRequest("Send a GeoJSON Feature.", "请发送 GeoJSON Feature。")
    props = doc.get("properties") or {}
    if not isinstance(props, dict):
        raise BadRequest("properties must be an object.", "properties 必须是对象。")
    # Clients send every attribute back; the read-only ones they got from us are dropped.
    read_only = {layer.id_column, *layer.properties} - set(layer.editable_properties)
    props = {k: v for k, v in props.items() if k not in read_only}
    unknown = set(props) - set(layer.editable_properties)
    if unknown:
        raise BadRequest(
            f"Property '{sorted(unknown)[0]}' cannot be edited; editable: "
            f"{', '.join(layer.editable_properties)}.",
            f"属性“{sorted(unknown)[0]}”不可编辑；可编辑：{'、'.join(layer.editable_properties)}。",
        )
    if isinstance(props.get("parties"), str):  # read back as "a,b" from the map view
        props["parties"] = [p.strip() for p in props["parties"].split(",") if p.strip()]
    crs = write_input.content_crs(request.headers.get("content-crs"))
    geometry = None
    if "geometry" in doc and doc["geometry"] is not None:
        sent = write_input.to_lon_lat(doc["geometry"], crs)
        geometry = mapping(parse_geometry(sent, GEOMETRY_ACCEPTED[layer.geometry_type]))
    elif not partial:
        raise BadRequest("The feature needs a geometry.", "要素需要几何。")
    if not partial:  # a replace clears what the body leaves out
        props = {p: props.get(p) for p in layer.editable_properties}
    pool = request.app.state.pg_pool
    columns = await layers.table_columns(pool, layer=layer, table=layer.edit_table)
    write_input.check_properties(
        props, columns, await schemas.required_properties(pool, layer), partial=partial
    )
    return {
        k: _DEFAULT if v is None and _fills_itself(columns.get(k)) else v for k, v in props.items()
    }, geometry


class _Default:
    """A property left empty whose column is NOT NULL with a default: the default applies."""


_DEFAULT = _Default()


def _fills_itself(column) -> bool:
    return column is not None and not column.nullable and column.has_default


async def _current(db_session: AsyncSession, layer: LayerDeclaration, fid: str) -> str:
    """The feature's GeoJSON after locking its row (so the ETag check and write are atomic)."""
    locked = await db_session.scalar(
        text(f'SELECT true FROM "{layer.edit_table}" WHERE "{layer.id_column}"::text = :id FOR UPDATE'),
        {"id": fid},
    )
    feature = await layers.item(db_session, layer=layer, feature_id=fid) if locked else None
    if feature is None:
        raise NotFound(
            f"Collection '{layer.id}' has no feature '{fid}'.", f"数据集“{layer.id}”中没有要素“{fid}”。"
        )
    return feature


def _assignments(layer: LayerDeclaration, props: dict, geometry) -> tuple[list[str], dict]:
    cols, params = [], {}
    for i, (k, v) in enumerate(props.items()):
        if v is _DEFAULT:
            cols.append((f'"{k}"', "DEFAULT"))
            continue
        cols.append((f'"{k}"', f":p{i}"))
        params[f"p{i}"] = v
    if geometry is not None:
        value = "ST_SetSRID(ST_GeomFromGeoJSON(:g), 4490)"
        if layer.geometry_type.startswith("Multi"):
            value = f"ST_Multi({value})"
        cols.append((layers.q(layer.geometry_column), value))
        params["g"] = json.dumps(geometry)
    return cols, params


@router.options("/collections/{layer_id}/items", include_in_schema=False)
async def items_options(layer: ReadableLayer, user: OptionalUser):
    allow = "GET, HEAD, OPTIONS" + (", POST" if user and layer.editable_by(user.role) else "")
    return Response(status_code=204, headers={"Allow": allow})


@router.options("/collections/{layer_id}/items/{feature_id}", include_in_schema=False)
async def item_options(layer: ReadableLayer, feature_id: str, user: OptionalUser):
    allow = "GET, HEAD, OPTIONS" + (", PUT, PATCH, DELETE" if user and layer.editable_by(user.role) else "")
    return Response(status_code=204, headers={"Allow": allow})


@router.post(
    "/collections/{layer_id}/items",
    status_code=201,
    response_class=GeoJSONResponse,
    responses={201: geojson_answer(FEATURE_SCHEMA)},
)
async def create_feature(layer: ReadableLayer, request: Request, user: CurrentUser, db_session: SessionDep):
    """Create a feature (GeoJSON Feature body); 201 with its Location."""
    domain = _editable(layer, user)
    props, geometry = await _body(request, layer, partial=False)
    if domain is not None:  # the domain records its own audit rows
        fid = await domain.create(
            db_session, {k: v for k, v in props.items() if v is not _DEFAULT}, geometry, user
        )
    else:
        fid = await _insert(db_session, layer, props, geometry, user)
    await edit_rules.require_units(db_session, layer.edit_table, fid, user)
    feature = await layers.item(db_session, layer=layer, feature_id=fid)
    await db_session.commit()
    location = f"{public_base(request)}/ogc/collections/{layer.id}/items/{fid}"
    return Response(
        feature,
        status_code=201,
        media_type="application/geo+json",
        headers={"Location": location, "ETag": etag_of(feature)},
    )


async def _insert(db_session: AsyncSession, layer: LayerDeclaration, props: dict, geometry, user) -> str:
    cols, params = _assignments(layer, props, geometry)
    fid = await db_session.scalar(
        text(
            f'INSERT INTO "{layer.edit_table}" ({", ".join(c for c, _ in cols)}) VALUES ({", ".join(v for _, v in cols)})'
            f' RETURNING "{layer.id_column}"::text'
        ),
        params,
    )
    await audit.record(
        db_session,
        by=user,
        action="create",
        entity=layer.edit_table,
        entity_id=fid,
        after={**{k: v for k, v in props.items() if v is not _DEFAULT}, "geometry": geometry},
    )
    return fid


async def _editor(layer: ReadableLayer, user: CurrentUser) -> DomainWrites | None:
    return _editable(layer, user)


# Declared before If-Match in each write: a caller who may not edit gets 403, not 428.
Editor = Annotated[DomainWrites | None, Depends(_editor)]


async def _update(layer, fid, request, user, db_session, if_match: str, domain, *, partial: bool) -> Response:
    props, geometry = await _body(request, layer, partial=partial)
    current = await _current(db_session, layer, fid)
    check_if_match(if_match, etag_of(current))
    await edit_rules.require_units(db_session, layer.edit_table, fid, user)  # as it was
    if domain is not None:
        changes = {k: v for k, v in props.items() if v is not _DEFAULT}
        await domain.update(db_session, fid, changes, geometry, user)
        await edit_rules.require_units(db_session, layer.edit_table, fid, user)  # as it becomes
        feature = await layers.item(db_session, layer=layer, feature_id=fid)
        await db_session.commit()
        return Response(feature, media_type="application/geo+json", headers={"ETag": etag_of(feature)})
    cols, params = _assignments(layer, props, geometry)
    if cols:
        sets = ", ".join(f"{c} = {v}" for c, v in cols)
        await db_session.execute(
            text(f'UPDATE "{layer.edit_table}" SET {sets} WHERE "{layer.id_column}"::text = :fid'),
            {**params, "fid": fid},
        )
        await edit_rules.require_units(db_session, layer.edit_table, fid, user)
    feature = await layers.item(db_session, layer=layer, feature_id=fid)
    await audit.record(
        db_session,
        by=user,
        action="replace" if not partial else "update",
        entity=layer.edit_table,
        entity_id=fid,
        before=orjson.loads(current)["properties"],
        after=orjson.loads(feature)["properties"],
    )
    await db_session.commit()
    return Response(feature, media_type="application/geo+json", headers={"ETag": etag_of(feature)})


@router.put(
    "/collections/{layer_id}/items/{feature_id}",
    response_class=GeoJSONResponse,
    responses={200: geojson_answer(FEATURE_SCHEMA)},
)
async def replace_feature(
    layer: ReadableLayer,
    feature_id: str,
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    domain: Editor,
    if_match: IfMatch,
):
    """Replace a feature. If-Match is required (428 without it); a stale one gets 412."""
    return await _update(layer, feature_id, request, user, db_session, if_match, domain, partial=False)


@router.patch(
    "/collections/{layer_id}/items/{feature_id}",
    response_class=GeoJSONResponse,
    responses={200: geojson_answer(FEATURE_SCHEMA)},
)
async def update_feature(
    layer: ReadableLayer,
    feature_id: str,
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    domain: Editor,
    if_match: IfMatch,
):
    """Change some properties and/or the geometry. If-Match is required (428 without it);
    a stale one gets 412."""
    return await _update(layer, feature_id, request, user, db_session, if_match, domain, partial=True)


@router.delete("/collections/{layer_id}/items/{feature_id}", status_code=204)
async def delete_feature(
    layer: ReadableLayer,
    feature_id: str,
    user: CurrentUser,
    db_session: SessionDep,
    domain: Editor,
    if_match: IfMatch,
):
    """Delete a feature. If-Match is required (428 without it); a stale one gets 412."""
    current = await _current(db_session, layer, feature_id)
    check_if_match(if_match, etag_of(current))
    await edit_rules.require_units(db_session, layer.edit_table, feature_id, user)
    if domain is not None:
        await domain.delete(db_session, feature_id, user)
    await db_session.execute(
        text(f'DELETE FROM "{layer.edit_table}" WHERE "{layer.id_column}"::text = :id'), {"id": feature_id}
    )
    await audit.record(
        db_session,
        by=user,
        action="delete",
        entity=layer.edit_table,
        entity_id=feature_id,
        before=orjson.loads(current)["properties"],
    )
    await db_session.commit()
    return Response(status_code=204)
