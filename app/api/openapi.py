"""The OpenAPI 3.1 description of the read API, served at /api/v1/openapi.json (a test validates it
and checks that it names every endpoint)."""

from __future__ import annotations

from app.api.queries import DEFAULT_LIMIT, MAX_LIMIT
from app.exports import FORMATS


def _param(name: str, description: str, schema: dict, where: str = "query", **more) -> dict:
    return {"name": name, "in": where, "description": description, "schema": schema, **more}


def _path(name: str, description: str) -> dict:
    return _param(name, description, {"type": "string"}, "path", required=True)


PARAMETERS = {
    "survey_id": _path("survey_id", "The survey's id, as in its file name."),
    "job_id": _path("job_id", "The background export's id (from the 202 answer)."),
    "schedule_id": _path("schedule_id", "The scheduled export's id."),
    "values": _param(
        "values", "Choice codes or their labels.", {"enum": ["codes", "labels"], "default": "codes"}
    ),
    "lang": _param(
        "lang", "Language of labels and codebook (default: the survey's first).", {"type": "string"}
    ),
    "from": _param("from", "Submitted on or after this local date.", {"type": "string", "format": "date"}),
    "to": _param("to", "Submitted on or before this local date.", {"type": "string", "format": "date"}),
    "where": _param(
        "where",
        "A hidden-field value, name=value (repeatable), e.g. station=12.",
        {"type": "array", "items": {"type": "string", "pattern": "^[^=]+=.*$"}},
        style="form",
        explode=True,
    ),
    "language": _param("language", "Only responses answered in this language.", {"type": "string"}),
    "include_partial": _param(
        "include_partial", "Also started but unsubmitted responses.", {"type": "boolean", "default": False}
    ),
    "no_demo": _param("no_demo", "Leave out demo data.", {"type": "boolean", "default": False}),
    "channel": _param(
        "channel", "Only kiosk responses, or only those from links.", {"enum": ["kiosk", "link"]}
    ),
    "sep": _param(
        "sep", "CSV separator (';' also writes decimal commas).", {"enum": [",", ";"], "default": ","}
    ),
    "after": _param(
        "after",
        "The cursor of the page before (its `cursor`); absent for the first page.",
        {"type": "string"},
    ),
    "limit": _param(
        "limit",
        "Responses per page.",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    ),
}
RESPONSE_FORMAT = _param("format", "JSON records or CSV rows.", {"enum": ["json", "csv"], "default": "json"})
FILE_FORMAT = _param("format", "The file format.", {"enum": list(FORMATS), "default": "xlsx"})
OPTIONS = [
    "values",
    "lang",
    "from",
    "to",
    "where",
    "language",
    "include_partial",
    "no_demo",
    "channel",
    "sep",
]


def _refs(*names: str) -> list[dict]:
    return [{"$ref": f"#/components/parameters/{name}"} for name in names]


def _problems(*codes: int) -> dict:
    return {str(code): {"$ref": f"#/components/responses/Problem{code}"} for code in codes}


def _json(schema: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _file(description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/octet-stream": {
                "schema": {"type": "string", "contentMediaType": "application/octet-stream"}
            }
        },
    }


def _get(operation_id: str, summary: str, parameters: list, responses: dict, public: bool = False) -> dict:
    operation = {
        "operationId": operation_id,
        "summary": summary,
        "parameters": parameters,
        "responses": responses | (_problems(429) if public else _problems(401, 404, 429)),
    }
    if public:
        operation["security"] = []
    return {"get": operation}


def _schemas() -> dict:
    nullable_string = {"type": ["string", "null"]}
    return {
        "Problem": {
            "type": "object",
            "description": "RFC 9457 problem details.",
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "request_id": {"type": "string"},
            },
            "required": ["type", "title", "status"],
        },
        "Survey": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "object", "additionalProperties": {"type": "string"}},
                "languages": {"type": "array", "items": {"type": "string"}},
                "status": {"type": "string"},
                "versions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "number": {"type": "integer"},
                            "first_seen": {"type": "string", "format": "date-time"},
                        },
                    },
                },
                "published_version": {"type": ["integer", "null"]},
                "responses": {
                    "type": "object",
                    "properties": {"complete": {"type": "integer"}, "in_progress": {"type": "integer"}},
                },
                "links": {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}},
            },
            "required": ["id", "title", "languages", "versions", "responses"],
        },
        "SurveyList": {
            "type": "object",
            "properties": {"surveys": {"type": "array", "items": {"$ref": "#/components/schemas/Survey"}}},
        },
        "Codebook": {
            "type": "object",
            "properties": {
                "survey": {"type": "string"},
                "lang": {"type": "string"},
                "codebook": {"type": "array", "items": {"type": "object"}},
            },
        },
        "Response": {
            "type": "object",
            "description": "One response as in the JSON export: fixed fields, hidden fields, answers by id.",
            "properties": {
                "response_id": {"type": "string"},
                "survey_version": {"type": "integer"},
                "started_version": {"type": "integer"},
                "status": {"enum": ["complete", "in_progress"]},
                "started_at": {"type": "string"},
                "submitted_at": nullable_string,
                "duration_seconds": {"type": ["integer", "null"]},
                "language": {"type": "string"},
                "channel": {"type": "string"},
                "demo": {"enum": [0, 1]},
                "hidden": {"type": "object"},
                "answers": {"type": "object"},
            },
        },
        "ResponsePage": {
            "type": "object",
            "properties": {
                "survey": {"type": "string"},
                "count": {"type": "integer"},
                "responses": {"type": "array", "items": {"$ref": "#/components/schemas/Response"}},
                "cursor": {
                    "type": ["string", "null"],
                    "description": "Pass as `after` to continue from here, now or later.",
                },
                "next": {
                    "type": "string",
                    "format": "uri",
                    "description": "The next page; absent on the last.",
                },
            },
            "required": ["survey", "count", "responses", "cursor"],
        },
        "ExportJob": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "status": {"enum": ["queued", "running", "done", "failed"]},
                "rows_done": {"type": "integer"},
                "rows_total": {"type": ["integer", "null"]},
                "error": nullable_string,
                "file": {"type": "string", "format": "uri"},
            },
            "required": ["id", "status"],
        },
        "ScheduledExportList": {
            "type": "object",
            "properties": {
                "survey": {"type": "string"},
                "scheduled_exports": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string"},
                            "every": {"enum": ["daily", "weekly"]},
                            "format": {"enum": list(FORMATS)},
                            "options": {"type": "object"},
                            "next_run_at": {"type": "string", "format": "date-time"},
                            "made_at": {"type": ["string", "null"], "format": "date-time"},
                            "rows": {"type": ["integer", "null"]},
                            "file": {"type": ["string", "null"], "format": "uri"},
                            "last_error": nullable_string,
                        },
                    },
                },
            },
        },
    }


def document(server: str) -> dict:
    """The OpenAPI document, with `server` (e.g. https://lyssna.example.org/api/v1) as its base URL."""
    problem_words = {
        400: "A parameter the endpoint does not take, or a value it cannot use.",
        401: "No valid token (missing, unknown, revoked, expired, or its account is disabled).",
        404: "No such survey for this token (outside its owner's grants), or no such thing of it.",
        429: "Too many requests for this token; Retry-After says when to try again.",
    }
    responses = {
        f"Problem{code}": {
            "description": words,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code, words in problem_words.items()
    }
    survey = _refs("survey_id")
    paths = {
        "/openapi.json": _get(
            "openapi", "This description.", [], {"200": {"description": "OpenAPI 3.1 (JSON)"}}, public=True
        ),
        "/surveys": _get(
            "listSurveys", "The surveys the token may read.", [], {"200": _json("SurveyList", "Surveys")}
        ),
        "/surveys/{survey_id}/codebook": _get(
            "getCodebook",
            "What every export column holds.",
            survey + _refs("lang"),
            {"200": _json("Codebook", "The codebook"), **_problems(400)},
        ),
        "/surveys/{survey_id}/responses": _get(
            "listResponses",
            "One page of responses in the order they arrived (keyset paging).",
            [*survey, RESPONSE_FORMAT, *_refs("after", "limit", *OPTIONS)],
            {
                "200": {
                    "description": "A page. CSV has its cursor in `Lyssna-Cursor`, the next page in `Link`.",
                    "headers": {
                        "Link": {
                            "schema": {"type": "string"},
                            "description": 'rel="next", absent on the last page',
                        },
                        "Lyssna-Cursor": {"schema": {"type": "string"}},
                    },
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ResponsePage"}},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
                **_problems(400),
            },
        ),
        "/surveys/{survey_id}/export": _get(
            "exportSurvey",
            "The whole export as one file; a large one is made in the background.",
            [*survey, FILE_FORMAT, *_refs(*OPTIONS)],
            {
                "200": _file("The file"),
                "202": {
                    "description": "Made in the background: poll the Location.",
                    "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExportJob"}}},
                },
                **_problems(400),
            },
        ),
        "/surveys/{survey_id}/exports/{job_id}": _get(
            "getExportJob",
            "How far a background export has come.",
            survey + _refs("job_id"),
            {"200": _json("ExportJob", "Its state")},
        ),
        "/surveys/{survey_id}/exports/{job_id}/file": _get(
            "getExportFile",
            "The file of a finished background export.",
            survey + _refs("job_id"),
            {"200": _file("The file")},
        ),
        "/surveys/{survey_id}/scheduled-exports": _get(
            "listScheduledExports",
            "The token owner's scheduled exports of the survey, with their newest files.",
            survey,
            {"200": _json("ScheduledExportList", "Scheduled exports")},
        ),
        "/surveys/{survey_id}/scheduled-exports/{schedule_id}/file": _get(
            "getScheduledExportFile",
            "The newest file of a scheduled export.",
            survey + _refs("schedule_id"),
            {"200": _file("The file")},
        ),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Lyssna read API",
            "version": "1",
            "description": "Survey responses for researchers' pipelines. See docs/api.md.",
        },
        "servers": [{"url": server}],
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal token: `flask users token`, or the Your account page.",
                }
            },
            "parameters": PARAMETERS,
            "schemas": _schemas(),
            "responses": responses,
        },
    }
