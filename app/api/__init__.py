"""The read API under /api/v1: personal tokens, surveys, codebooks, responses page by page, whole
exports and scheduled exports, described by OpenAPI. JSON and CSV only, no HTML (docs/api.md)."""
