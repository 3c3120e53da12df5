"""The OpenAPI 3 description of the JSON API, served at /api/openapi.json."""

from django.http import JsonResponse

from trends.models import CATEGORIES, Lifecycle
from web.api import api_endpoint


def _object(properties: dict, required: list[str] | None = None) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


_NULLABLE_STRING = {"type": ["string", "null"]}
_CITED_SENTENCE = _object(
    {
        "text": {"type": "string"},
        "citations": {"type": "array", "items": {"type": "integer"}, "description": "article ids"},
        "source": {"type": "string"},
    },
    ["text", "citations"],
)
TREND_SUMMARY = _object(
    {
        "id": {"type": "integer"},
        "url": {"type": "string", "format": "uri"},
        "api_url": {"type": "string", "format": "uri"},
        "headline": {"type": "string"},
        "dek": {"type": "string"},
        "category": {"type": "string", "enum": [code for code, _ in CATEGORIES]},
        "lifecycle": {"type": "string", "enum": list(Lifecycle.values)},
        "velocity": {"type": "number"},
        "first_velocity": {"type": "number"},
        "article_count": {"type": "integer"},
        "source_count": {"type": "integer"},
        "first_seen_at": {"type": "string", "format": "date-time"},
        "last_seen_at": {"type": "string", "format": "date-time"},
        "is_pinned": {"type": "boolean"},
        "forecast": _object(
            {
                "outcome": {"type": ["string", "null"], "enum": ["fades", "holds", "rising", None]},
                "probability_fades": {"type": ["number", "null"]},
            }
        ),
    },
    ["id", "url", "headline", "category", "lifecycle", "velocity", "article_count", "source_count"],
)
ARTICLE = _object(
    {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "outlet": {"type": "string"},
        "url": {"type": ["string", "null"], "format": "uri", "description": "http(s) only"},
        "published_at": {"type": "string", "format": "date-time"},
        "copy_of": {"type": ["integer", "null"], "description": "the original of a syndicated copy"},
    },
    ["id", "title", "outlet", "published_at"],
)
SNAPSHOT = _object(
    {
        "hour": {"type": "string", "format": "date-time", "description": "end of the hour"},
        "articles": {"type": "integer"},
        "total_articles": {"type": "integer"},
        "sources": {"type": "integer"},
        "effective_sources": {"type": "number"},
        "article_rate": {"type": "number"},
        "velocity": {"type": "number"},
        "lifecycle": {"type": "string"},
    },
    ["hour", "velocity"],
)
_ANSWER = _object(
    {
        "question": {"type": "string"},
        "answer": {"type": "string", "description": "'The coverage does not say yet.' when unanswered"},
        "citations": {"type": "array", "items": {"type": "integer"}},
        "kind": {"type": "string", "description": "who, where, toll, next, or model"},
    },
    ["question", "answer", "citations"],
)
BRIEF = _object(
    {
        "sentences": {"type": "array", "items": _CITED_SENTENCE, "description": "what happened"},
        "timeline": {
            "type": "array",
            "items": _object(
                {
                    "at": {"type": "string", "format": "date-time"},
                    "source": {"type": "string"},
                    "text": {"type": "string"},
                    "citations": {"type": "array", "items": {"type": "integer"}},
                },
                ["at", "text", "citations"],
            ),
        },
        "angles": {
            "type": "array",
            "description": "how outlets differ; empty unless the coverage splits",
            "items": _object(
                {
                    "words": {"type": "array", "items": {"type": "string"}},
                    "sources": {"type": "array", "items": {"type": "string"}},
                    "text": {"type": "string"},
                    "citations": {"type": "array", "items": {"type": "integer"}},
                    "articles": {"type": "integer"},
                }
            ),
        },
        "watch_next": {"type": "array", "items": _CITED_SENTENCE, "description": "what to watch"},
        "answers": {"type": "array", "items": _ANSWER},
        "writer": {"type": "string", "enum": ["extractive", "model"]},
        "method": {"type": "string", "description": "how the brief was made, as the page says it"},
        "verification": {
            "type": ["object", "null"],
            "description": "model briefs: sentences checked and removed by the verifier",
        },
        "supported_share": {"type": "number"},
        "corroborated_share": {"type": "number"},
        "outlets_cited": {"type": "integer"},
        "updated_at": {"type": ["string", "null"], "format": "date-time"},
        "edited": {"type": "boolean"},
    }
)
ERROR = _object({"error": {"type": "string"}}, ["error"])
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
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
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
                        "content": {
                            "application/json": {
                                "schema": _object(
                                    {
                                        "count": {"type": "integer"},
                                        "page": {"type": "integer"},
                                        "pages": {"type": "integer"},
                                        "page_size": {"type": "integer"},
                                        "results": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/TrendSummary"},
                                        },
                                    },
                                    ["count", "page", "pages", "results"],
                                )
                            }
                        },
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
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Trend"}}},
                    },
                    "304": _NOT_MODIFIED,
                    "404": _error("No such trend (or hidden, or merged into another)"),
                    "405": _NOT_ALLOWED,
                },
            }
        },
    },
    "components": {
        "schemas": {
            "TrendSummary": TREND_SUMMARY,
            "Trend": {
                "allOf": [
                    {"$ref": "#/components/schemas/TrendSummary"},
                    _object(
                        {
                            "brief": {"$ref": "#/components/schemas/Brief"},
                            "brief_updated_at": _NULLABLE_STRING,
                            "brief_approved": {"type": "boolean"},
                            "topics": {
                                "type": "array",
                                "items": _object(
                                    {
                                        "name": {"type": "string"},
                                        "slug": {"type": "string"},
                                        "kind": {"type": "string"},
                                    }
                                ),
                            },
                            "coverage": {"type": "array", "items": {"$ref": "#/components/schemas/Article"}},
                            "snapshots": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Snapshot"},
                            },
                        },
                        ["coverage", "snapshots", "brief"],
                    ),
                ]
            },
            "Article": ARTICLE,
            "Snapshot": SNAPSHOT,
            "Brief": BRIEF,
            "Error": ERROR,
        }
    },
}


@api_endpoint
def openapi_schema(request):
    schema = dict(SCHEMA, servers=[{"url": request.build_absolute_uri("/").rstrip("/")}])
    response = JsonResponse(schema)
    response["Cache-Control"] = "public, max-age=300"
    return response
