"""The OpenAPI 3 description of the JSON API, served at /api/openapi.json."""

from django.http import JsonResponse

from trends.models import CATEGORIES, Lifecycle
from web import api_schema as shapes
from web.api import api_endpoint

REF = "#/components/schemas/{model}"


def component_schemas() -> dict:
    """Every shape of web/api_schema.py as an OpenAPI 3.1 schema (JSON Schema
    2020-12), nested shapes referenced by name."""
    components = {}
    for shape in shapes.COMPONENTS:
        schema = shape.model_json_schema(ref_template=REF, mode="serialization")
        components.update(schema.pop("$defs", {}))
        components[shape.__name__] = schema
    return components


def _ref(name: str) -> dict:
    return {"$ref": REF.format(model=name)}


_ETAG_HEADER = {"ETag": {"schema": {"type": "string"}, "description": "send back as If-None-Match"}}
_IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
}
_NOT_MODIFIED = {"description": "Not modified since the ETag given in If-None-Match"}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }


_NOT_ALLOWED = dict(
    _error("The API is read-only: only GET and HEAD"),
    headers={"Allow": {"schema": {"type": "string"}, "description": "GET, HEAD"}},
)


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


SCHEMA = {
    "openapi": "3.1.0",
    "info": {
        "title": "Surge API",
        "version": "1.0.0",
        "description": (
            "Read-only access to Surge's trends: news stories, their velocity, coverage and briefs."
        ),
    },
    "paths": {
        "/api/trends/": {
            "get": {
                "operationId": "listTrends",
                "summary": "Live trends, pinned first, then by velocity",
                "parameters": [
                    _query(
                        "category",
                        "only this category",
                        {"type": "string", "enum": [c for c, _ in CATEGORIES]},
                    ),
                    _query(
                        "lifecycle",
                        "only this lifecycle stage",
                        {"type": "string", "enum": list(Lifecycle.values)},
                    ),
                    _query("topic", "only trends about this topic (its slug)", {"type": "string"}),
                    _query("page", "page number, from 1", {"type": "integer", "minimum": 1}),
                    _query(
                        "page_size", "results per page", {"type": "integer", "minimum": 1, "maximum": 100}
                    ),
                    _IF_NONE_MATCH,
                ],
                "responses": {
                    "200": {
                        "description": "A page of trends",
                        "headers": _ETAG_HEADER,
                        "content": {"application/json": {"schema": _ref("TrendPage")}},
                    },
                    "304": _NOT_MODIFIED,
                    "400": _error("A filter or page parameter is not valid"),
                    "404": _error("No such page"),
                    "405": _NOT_ALLOWED,
                },
            }
        },
        "/api/trends/{id}/": {
            "get": {
                "operationId": "getTrend",
                "summary": "One trend with its coverage, hourly snapshots, brief and forecast",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    _IF_NONE_MATCH,
                ],
                "responses": {
                    "200": {
                        "description": "The trend",
                        "headers": _ETAG_HEADER,
                        "content": {"application/json": {"schema": _ref("Trend")}},
                    },
                    "304": _NOT_MODIFIED,
                    "404": _error("No such trend (or hidden, or merged into another)"),
                    "405": _NOT_ALLOWED,
                },
            }
        },
    },
    "components": {"schemas": component_schemas()},
}


@api_endpoint
def openapi_schema(request):
    schema = dict(SCHEMA, servers=[{"url": request.build_absolute_uri("/").rstrip("/")}])
    response = JsonResponse(schema)
    response["Cache-Control"] = "public, max-age=300"
    return response
