"""Every API route of the app, however the routers were included."""

from fastapi.routing import APIRoute

from gis_service.auth import write_scopes


def api_routes(app) -> list[APIRoute]:
    """The service's own walk over its routes (auth/write_scopes.py), the API ones."""
    return [route for route in write_scopes.api_routes(app.routes) if isinstance(route, APIRoute)]


def dependency_calls(dependant):
    for dep in dependant.dependencies:
        yield dep.call
        yield from dependency_calls(dep)
