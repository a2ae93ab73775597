//! Seed 004's part of `/openapi.json` (and of `/schema/`).

use serde_json::{Map, Value, json};

use super::CODES;
use crate::api::profile::{Fragment, describe_codes};

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn json_response(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

fn html_response(description: &str) -> Value {
    json!({ "description": description, "content": { "text/html": { "schema": { "type": "string" } } } })
}

pub fn fragment() -> Fragment {
    let codes = describe_codes(CODES);
    let item = json!({ "type": "object", "required": ["item", "source", "kind"], "properties": {
        "item": { "type": "string", "description": "An imperative instruction" },
        "source": { "type": "string", "description": "The guideline sentence it came from" },
        "kind": { "enum": ["must", "should", "must_not", "consider"] } } });
    let method = json!({ "enum": ["llm", "extractive"] });
    let result = json!({ "type": "object", "required": ["summary", "checklist", "method"], "properties": {
        "summary": { "type": "string" },
        "checklist": { "type": "array", "items": { "type": "string" }, "description": "The checklist's items as sentences" },
        "checklist_items": { "type": "array", "items": item, "description": "Capsule's addition: each item with its source sentence and kind" },
        "method": { "enum": ["llm", "extractive"], "description": "`extractive` when either step ran without a model: a TextRank summary, a checklist of the guideline's recommendation sentences" },
        "methods": { "type": "object", "properties": { "summary": method, "checklist": method } } } });
    let job = json!({ "type": "object", "required": ["event_id", "input_text", "status", "result", "created_at"], "properties": {
        "event_id": { "type": "string", "description": "The job's id; Capsule's `GET /api/v1/jobs/{id}` shows the same job with its steps" },
        "input_text": { "type": "string" },
        "status": { "enum": ["pending", "processing", "completed", "failed"] },
        "result": { "oneOf": [schema_ref("GptJobResult"), { "type": "null" }] },
        "created_at": { "type": "string", "format": "date-time" },
        "updated_at": { "type": "string", "format": "date-time" },
        "progress": { "type": "integer", "minimum": 0, "maximum": 100 },
        "step": { "type": "string", "description": "The step under way: `summarize` or `checklist`" },
        "error": { "type": "object", "required": ["code", "message"], "properties": {
            "code": { "type": "string" }, "message": { "type": "string" } } } } });
    let error = json!({ "type": "object", "required": ["code"], "properties": {
        "detail": { "type": "string" },
        "input_text": { "type": "array", "items": { "type": "string" } },
        "code": { "type": "string" } } });
    let tags = json!(["seed 004: GPT job queue"]);
    let mut paths = Map::new();
    let create = json!({
        "tags": tags, "operationId": "seed004_create_job",
        "summary": "Seed 004: queue a guideline for summarising and a checklist",
        "description": format!("Answers the new job's `event_id` at once (no model work happens in the request). The `guideline` pipeline then runs `summarize` → `checklist`, each a language-model call with a JSON-Schema-constrained answer, or without a model an extractive summary (TextRank) and a checklist of the guideline's recommendation sentences (`method: extractive`). The guideline may be sent as `input_text`, `text`, `input`, `guideline` or `content`. Codes: {codes}."),
        "requestBody": { "required": true, "content": { "application/json": { "schema": {
            "type": "object", "properties": { "input_text": { "type": "string", "maxLength": super::MAX_TEXT } } } } } },
        "responses": {
            "201": json_response("Queued", schema_ref("GptJob")),
            "400": json_response("JOB_INPUT_REQUIRED / JOB_INPUT_BLANK / JOB_INPUT_INVALID / JOB_PARSE_ERROR", schema_ref("GptJobError")),
            "413": json_response("JOB_PAYLOAD_TOO_LARGE", schema_ref("GptJobError")),
            "503": json_response("JOB_UNAVAILABLE", schema_ref("GptJobError"))
        } });
    paths.insert("/jobs".into(), json!({ "post": create }));
    paths.insert("/jobs/{event_id}".into(), json!({ "get": {
        "tags": tags, "operationId": "seed004_job_status",
        "summary": "Seed 004: a job's status and, when done, its summary and checklist",
        "description": format!("`pending | processing` (with `progress` and `step`), `completed` with `result`, or `failed` with `error {{code, message}}`. A trailing slash is accepted. Codes: {codes}."),
        "parameters": [{ "name": "event_id", "in": "path", "required": true, "schema": { "type": "string" } }],
        "responses": {
            "200": json_response("The job", schema_ref("GptJob")),
            "404": json_response("JOB_NOT_FOUND (`Not found.`)", schema_ref("GptJobError"))
        } } }));
    for (path, what) in [
        ("/swagger/", "Swagger UI over `/schema/`, from embedded assets"),
        ("/redoc/", "ReDoc over `/schema/`, from embedded assets"),
    ] {
        paths.insert(
            path.into(),
            json!({ "get": {
            "tags": tags, "operationId": format!("seed004_docs_{}", path.trim_matches('/')),
            "summary": what, "responses": { "200": html_response(what) } } }),
        );
    }
    paths.insert(
        "/schema/".into(),
        json!({ "get": {
        "tags": tags, "operationId": "seed004_schema",
        "summary": "This OpenAPI document (JSON, which is also YAML)",
        "responses": { "200": json_response("The OpenAPI 3.1 document", json!({ "type": "object" })) } } }),
    );
    let schemas = Map::from_iter([
        ("GptJob".to_string(), job),
        ("GptJobResult".to_string(), result),
        ("GptJobError".to_string(), error),
    ]);
    Fragment { paths, schemas }
}
