//! Seed 001's part of `/openapi.json`.

use serde_json::{Map, Value, json};

use super::CODES;
use crate::api::profile::{Fragment, describe_codes};

fn json_response(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

fn param(name: &str, location: &str, required: bool, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": location, "required": required, "schema": schema, "description": description })
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

pub fn fragment() -> Fragment {
    let mut paths = Map::new();
    paths.insert("/ai/calendar/parse".into(), json!({
        "post": {
            "tags": ["seed 001: career assistant"], "operationId": "seed001_calendar_parse",
            "summary": "Seed 001 §6: posting text → company, position, schedules, hashtags (synchronous)",
            "description": "Seed envelope: `{\"message\": \"calendar_parsed\", \"data\": {…}}`; errors `{\"message\", \"error_code\", \"data\": null}`: `no_input_provided` 4010, `parse_failed` 4011, `file_not_found` 4041, `invalid_request` 4000, `ai_service_unavailable` 5031, `service_unavailable` 5030.",
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "object",
                "properties": {
                    "text": { "type": "string", "description": "Posting text (required without file_url)" },
                    "file_url": { "type": "string", "description": "A file URL (required without text)" },
                    "reference_date": { "type": "string", "description": "Capsule extension: the date relative expressions count from (default: today)" },
                    "timezone": { "type": "string", "description": "Capsule extension: IANA zone for 'today' (default Asia/Seoul)" }
                }
            }}}},
            "responses": {
                "200": json_response("Parsed", json!({"type": "object", "properties": {"message": {"const": "calendar_parsed"}, "data": {"type": "object"}}})),
                "400": json_response("no_input_provided / parse_failed / invalid_request", schema_ref("SeedError")),
                "404": json_response("file_not_found", schema_ref("SeedError")),
                "413": json_response("payload_too_large 4130 (body over --max-body; the connection is closed)", schema_ref("SeedError")),
                "503": json_response("service unavailable", schema_ref("SeedError")),
            }
        }
    }));
    let seed_error = |what: &str| json_response(what, schema_ref("SeedError"));
    let task_created = |message: &str| {
        json_response(
            "Task created; poll GET /ai/task/{task_id}",
            json!({"type": "object", "properties": {
                "message": {"const": message},
                "data": {"type": "object", "properties": {"task_id": {"type": "string"}, "status": {"const": "processing"}}}
            }}),
        )
    };
    let file_fields = json!({
        "file_url": { "type": "string", "description": "A URL from POST /api/v1/files (absolute or `/api/v1/files/{id}`), or an http(s) URL on a host the component's `allowed_outbound_hosts` grants; anything else is `file_not_found` with a `reason`" },
        "file_type": { "type": "string", "enum": ["pdf", "image"], "description": "`image`: PNG, JPEG, WebP or TIFF" }
    });
    let mut ocr_fields = file_fields.clone();
    if let (Some(o), Some(extra)) = (
        ocr_fields.as_object_mut(),
        json!({
            "type": { "type": "string", "enum": ["resume", "portfolio", "job_posting"] },
            "user_id": { "type": "string" },
            "document_id": { "type": "string", "description": "resume_id, portfolio_id or posting_id" }
        })
        .as_object(),
    ) {
        o.extend(extra.clone());
    }
    paths.insert("/ai/ocr/extract".into(), json!({
        "post": {
            "tags": ["seed 001: career assistant"], "operationId": "seed001_ocr_extract",
            "summary": "Seed 001 §1: text of a PDF or image (asynchronous; poll GET /ai/task/{task_id})",
            "description": "Runs the `ocr` component: PDF text layers are read directly, scanned pages and images go through Tesseract (kor+eng). Errors `{\"message\", \"error_code\", \"data\": null, \"reason\"}`: `missing_required_field` 4003, `invalid_file_type` 4001, `invalid_document_type` 4002, `file_not_found` 4041, `ai_service_unavailable` 5031. The extracted text is then chunked, embedded (multilingual-e5-small) and stored in the collection of its `type` (`resumes`, `portfolios`, `job_postings`) under `user_id` + `document_id`, replacing that document's earlier vectors; the result carries `vector_id` and `collection`. An embedding failure is `embedding_failed` 5002.",
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "object", "required": ["file_url", "file_type", "type", "user_id", "document_id"], "properties": ocr_fields
            }}}},
            "responses": {
                "200": task_created("ocr_task_created"),
                "400": seed_error("missing_required_field 4003 / invalid_file_type 4001 / invalid_document_type 4002"),
                "404": seed_error("file_not_found 4041 (with `reason`)"),
                "413": seed_error("payload_too_large 4130 (body over --max-body; the connection is closed)"),
                "503": seed_error("ai_service_unavailable 5031 / service_unavailable 5030"),
            }
        }
    }));
    paths.insert("/ai/masking/draft".into(), json!({
        "post": {
            "tags": ["seed 001: career assistant"], "operationId": "seed001_masking_draft",
            "summary": "Seed 001 §7: black out personal data in an image or PDF (asynchronous; poll GET /ai/task/{task_id})",
            "description": "Runs the `masking` component: phones, e-mails, resident/foreigner registration, card, passport, driver's licence and bank account numbers, and labelled names and addresses are covered with opaque boxes; PDFs come back as image-only PDFs (no extractable text). Result: `masked_file_url`, `detected_items` [{type, location {x, y, width, height} in the output's pixels, page, confidence}].",
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "object", "required": ["file_url", "file_type"], "properties": file_fields
            }}}},
            "responses": {
                "200": task_created("masking_task_created"),
                "400": seed_error("missing_required_field 4003 / invalid_file_type 4001"),
                "404": seed_error("file_not_found 4041 (with `reason`)"),
                "413": seed_error("payload_too_large 4130 (body over --max-body; the connection is closed)"),
                "503": seed_error("ai_service_unavailable 5031 / service_unavailable 5030"),
            }
        }
    }));
    paths.insert("/ai/task/{task_id}".into(), json!({
        "get": {
            "tags": ["seed 001: career assistant"], "operationId": "seed001_task_status",
            "summary": "Poll an OCR or masking task",
            "description": "`task_processing` (status `processing`, with `progress` {percent, step, message}), `task_completed` (OCR) or `masking_completed` (masking) with `result`; a failed task answers with the seed error its failure maps to and the component's sentence in `reason`: `file_not_found` 4041, `invalid_file_type` 4001, `ocr_processing_failed` 5001, `masking_failed` 5003, `ai_service_unavailable` 5031 (engine not installed).",
            "parameters": [param("task_id", "path", true, json!({"type": "string"}), "The `task_id` a create call returned")],
            "responses": {
                "200": json_response("Processing or completed", json!({"type": "object", "properties": {
                    "message": {"enum": ["task_processing", "task_completed", "masking_completed"]},
                    "data": {"type": "object", "properties": {"task_id": {"type": "string"}, "status": {"enum": ["processing", "completed"]}, "result": {"type": "object"}, "progress": {"type": "object"}}}
                }})),
                "400": seed_error("invalid_file_type 4001 (the task failed: the file is empty, not a PDF or an image, truncated or damaged, or too large; not worth retrying), or invalid_request 4000 (a task_id that is not UTF-8)"),
                "404": seed_error("task_not_found 4042, or file_not_found 4041 (the task failed)"),
                "500": seed_error("ocr_processing_failed 5001 / masking_failed 5003 (the task failed)"),
                "503": seed_error("ai_service_unavailable 5031 (the task failed: engine not installed)"),
            }
        }
    }));

    for path in paths.values_mut() {
        for operation in path.as_object_mut().into_iter().flat_map(|p| p.values_mut()) {
            let text = operation["description"].as_str().unwrap_or_default().to_string();
            operation["description"] =
                json!(format!("{text} Every code of seed 001's routes: {}.", describe_codes(CODES)));
        }
    }
    Fragment { paths, schemas: Map::new() }
}
