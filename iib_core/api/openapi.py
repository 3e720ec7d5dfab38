"""An honest OpenAPI schema: each route lists the error statuses it can answer.

FastAPI only lists 200 and 422. Our routes also answer (all with a `{"detail": ...}` body):
400 bad input or a key required, 401 wrong key, 403 refused path / read-only / cross-site,
404 missing, 409 would overwrite, 413 too large, 415 not JSON, 416 bad range, 421 unknown
Host. The statuses are added to `route.responses` after the routes exist, with an inline
schema (no response model), which works under FastAPI 0.94 and current versions alike.
"""
from __future__ import annotations

from typing import Any, Dict, Sequence, Tuple

from .guard import SAFE_METHODS

ERROR_SCHEMA = {
    "type": "object",
    "title": "Error",
    "properties": {"detail": {"title": "Detail", "description": "a message, or an object with a `type`"}},
    "required": ["detail"],
}
DESCRIPTIONS = {
    400: "Bad input, or a secret key is required",
    401: "The secret key is missing or wrong",
    403: "Refused: a path outside the allowed folders, a read-only server, or a cross-site request",
    404: "Not found",
    409: "Conflict: the target exists (send overwrite: true) or the name is taken",
    413: "The request asks for too much",
    415: "A request that changes something must send Content-Type: application/json",
    416: "The Range header cannot be satisfied",
    421: "The Host header names a host this server does not answer to (DNS rebinding guard)",
}
# Routes (below the base) with statuses beyond the common ones.
EXTRA = {
    "/copy_files": (409,), "/move_files": (409,), "/db/rename": (409,), "/trash/restore": (409,),
    "/db/rename_custom_tag": (409,), "/mkdirs": (409,),
    "/zip": (413,), "/zip_prepare": (413,), "/set_target_frame_as_video_cover": (413,),
    "/file": (416,), "/stream_video": (416,),
}
PUBLIC = ("/hello", "/shutdown")  # no secret key needed


def _response(status: int) -> Dict[str, object]:
    return {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": dict(ERROR_SCHEMA)}}}


def declare_responses(routes: Sequence, base: str = "") -> None:
    for route in routes:
        responses = getattr(route, "responses", None)
        if responses is None or not getattr(route, "include_in_schema", False):
            continue
        path = route.path[len(base):] if base and route.path.startswith(base) else route.path
        statuses = {400, 421}
        if not any(path.endswith(p) for p in PUBLIC):
            statuses |= {401, 403, 404}
        if set(getattr(route, "methods", ()) or ()) - SAFE_METHODS:
            statuses |= {403, 415}
        for suffix, extra in EXTRA.items():
            if path.endswith(suffix):
                statuses |= set(extra)
        for status in sorted(statuses):
            responses.setdefault(status, _response(status))


# Limits the routes enforce themselves (with a 400 or 413 naming the limit), shown in the
# schema of the request models: {model: {property: JSON-schema keywords}}.
CONSTRAINTS: Dict[Tuple[str, str], Dict[str, Dict[str, Any]]] = {
    ("db_routes", "SearchBody"): {"size": {"minimum": 1, "maximum": 10_000}, "regexp": {"maxLength": 1000},
                                  "syntax": {"enum": ["substr", "query"]}},
    ("db_routes", "TagMatchBody"): {"size": {"minimum": 1, "maximum": 10_000}},
    ("index_routes", "Exclusions"): {"dirs": {"maxItems": 500, "items": {"maxLength": 4096}}},
    ("media_routes", "ZipReq"): {"paths": {"maxItems": 10_000}},
    ("media_routes", "ZipPrepareReq"): {"paths": {"maxItems": 10_000}},
}


def _component(name: str, module: str, model: str) -> bool:
    """FastAPI names a component after its class, or module-qualified when two share a name."""
    name = name[: -len("-Input")] if name.endswith("-Input") else name
    return name == model or name.endswith(f"__{module}__{model}")


def _merge(target: dict, extra: dict) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def add_constraints(schema: dict) -> dict:
    """Add CONSTRAINTS to a generated schema (model names are the same under pydantic 1 and 2)."""
    components = schema.get("components", {}).get("schemas", {})
    for (module, model), props in CONSTRAINTS.items():
        for name, component in components.items():
            if not _component(name, module, model):
                continue
            properties = component.get("properties", {})
            for prop, extra in props.items():
                if prop in properties:
                    _merge(properties[prop], extra)
    return schema


def constrain_openapi(app) -> None:
    """Make `app.openapi()` (cached by FastAPI) include the enforced limits."""
    original = app.openapi

    def openapi():
        if app.openapi_schema is None:
            app.openapi_schema = add_constraints(original())
        return app.openapi_schema

    app.openapi = openapi
