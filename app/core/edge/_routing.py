"""Routers mounted flat: each route of an `APIRouter` added to the app's own route table.

Why not `app.include_router`: since FastAPI 0.165 an included router stays a node of its
own (`_IncludedRouter`), and a request is matched against it twice — once to find the
router among the app's routes (walking its routes), once more inside it to pick the route
— with context saved and restored in the scope around every candidate. Measured on
`GET /api/user` and a one-resource read: 5-7% of the request's CPU. Adding each
route to the app, as `include_router` itself did before 0.165, leaves one walk over one
list of routes.

What a route carries is copied as the router resolved it (its path with the router's own
prefix, tags, dependencies, responses, callbacks); what the router left to its defaults
(response class, operation id function) takes the app's, as inclusion does. The OpenAPI
snapshot (tests/repo/test_openapi_snapshot.py) shows the documents come out identical.
Only `APIRoute`s are copied: a router holding anything else (a mount, a websocket route)
is refused rather than half mounted.
"""

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute


def mount_flat(app: FastAPI, router: APIRouter, prefix: str = "") -> None:
    """Add every route of `router` to `app`, under `prefix`."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"{route!r}: only APIRoutes can be mounted flat; use include_router")
        app.router.add_api_route(
            prefix + route.path,
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=route.tags,
            dependencies=route.dependencies,
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses=route.responses,
            deprecated=route.deprecated,
            methods=route.methods,
            operation_id=route.operation_id,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            name=route.name,
            callbacks=route.callbacks,
            openapi_extra=route.openapi_extra,
            generate_unique_id_function=route.generate_unique_id_function,
        )
