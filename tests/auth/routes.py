"""Every API route of the app, however the routers were included."""

from fastapi.routing import APIRoute


def api_routes(app):
    stack = list(app.routes)
    while stack:
        route = stack.pop(0)
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # a router included with include_router
            stack[:0] = list(route.original_router.routes)


def dependency_calls(dependant):
    for dep in dependant.dependencies:
        yield dep.call
        yield from dependency_calls(dep)
