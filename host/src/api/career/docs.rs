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
            "summary": "Poll a task: OCR, masking, or a streamed answer fetched afterwards",
            "description": "`task_processing` (status `processing`, with `progress` {percent, step, message}), `task_completed` (OCR) or `masking_completed` (masking) with `result`; the task of a streamed route (`/ai/analyze`, `/ai/interview/report`, `/ai/chat`, whose `task` event gave its id) answers with that route's own message (`analysis_complete`, `report_generated`, `chat_response`, `tool_required`) and `result` = the route's documented `data`; a failed task answers with the seed error its failure maps to and the component's sentence in `reason`: `file_not_found` 4041, `invalid_file_type` 4001, `ocr_processing_failed` 5001, `masking_failed` 5003, `ai_service_unavailable` 5031 (engine not installed).",
            "parameters": [param("task_id", "path", true, json!({"type": "string"}), "The `task_id` a create call returned")],
            "responses": {
                "200": json_response("Processing or completed", json!({"type": "object", "properties": {
                    "message": {"enum": ["task_processing", "task_completed", "masking_completed", "embedding_success", "analysis_complete", "question_generated", "qa_saved", "report_generated", "chat_response", "tool_required"]},
                    "data": {"type": "object", "properties": {"task_id": {"type": "string"}, "status": {"enum": ["processing", "completed"]}, "result": {"type": "object"}, "progress": {"type": "object"}}}
                }})),
                "400": seed_error("invalid_file_type 4001 (the task failed: the file is empty, not a PDF or an image, truncated or damaged, or too large; not worth retrying), or invalid_request 4000 (a task_id that is not UTF-8)"),
                "404": seed_error("task_not_found 4042, or file_not_found 4041 (the task failed)"),
                "500": seed_error("ocr_processing_failed 5001 / masking_failed 5003 (the task failed)"),
                "503": seed_error("ai_service_unavailable 5031 (the task failed: engine not installed)"),
            }
        }
    }));

    assistant_paths(&mut paths);

    for path in paths.values_mut() {
        for operation in path.as_object_mut().into_iter().flat_map(|p| p.values_mut()) {
            let text = operation["description"].as_str().unwrap_or_default().to_string();
            operation["description"] =
                json!(format!("{text} Every code of seed 001's routes: {}.", describe_codes(CODES)));
        }
    }
    Fragment { paths, schemas: Map::new() }
}

/// The events of a streamed route, for its description.
const EVENTS: &str = "Answered as Server-Sent Events (`text/event-stream`) unless the request's `Accept` asks for `application/json` and not `text/event-stream`, in which case the same final body comes as one JSON response. Events in order: `task` (`{task_id, status: \"processing\"}`, always first: a client that disconnects neither cancels nor loses the task and can fetch the answer with GET /ai/task/{task_id}), any number of `progress` (`{progress, step, message}`) and `token` (`{text}`: the language model's answer as it is written, when one is configured), then exactly one `complete` whose data is the documented JSON body below, or one `error` whose data is the seed's error body. Validation errors come before the stream as plain JSON 4xx.";

fn streamed_responses(body: Value, errors: &[(&str, &str)]) -> Value {
    let mut responses = json!({
        "200": {
            "description": "Server-Sent Events ending in `complete` (data: this body) or `error`; or this body as JSON for `Accept: application/json`",
            "content": {
                "text/event-stream": { "schema": { "type": "string", "description": "event: task | progress | token | complete | error" } },
                "application/json": { "schema": body }
            }
        }
    });
    for (status, what) in errors {
        responses[*status] = json_response(what, schema_ref("SeedError"));
    }
    responses
}

fn sync_responses(body: Value, errors: &[(&str, &str)]) -> Value {
    let mut responses = json!({ "200": json_response("Done", body) });
    for (status, what) in errors {
        responses[*status] = json_response(what, schema_ref("SeedError"));
    }
    responses
}

fn body_of(message: &[&str], data: Value) -> Value {
    json!({ "type": "object", "required": ["message", "data"], "properties": {
        "message": { "enum": message }, "data": data } })
}

fn strings() -> Value {
    json!({ "type": "array", "items": { "type": "string" } })
}

fn request(required: &[&str], properties: Value) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": {
        "type": "object", "required": required, "properties": properties } } } })
}

fn operation(id: &str, summary: &str, description: &str, request_body: Value, responses: Value) -> Value {
    json!({ "post": {
        "tags": ["seed 001: career assistant"], "operationId": id, "summary": summary,
        "description": description, "requestBody": request_body, "responses": responses } })
}

const COMMON_ERRORS: [(&str, &str); 2] = [
    ("413", "payload_too_large 4130 (body over --max-body; the connection is closed)"),
    (
        "503",
        "ai_service_unavailable 5031 (the `career` component, or the engine this needs, is not here) / service_unavailable 5030",
    ),
];

fn with_common(errors: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    errors.iter().copied().chain(COMMON_ERRORS).collect()
}

/// §2–§5: the routes of the `career` component.
fn assistant_paths(paths: &mut Map<String, Value>) {
    let text = json!({ "type": "string" });
    paths.insert("/ai/file/embed".into(), operation(
        "seed001_file_embed",
        "Seed 001 §2: embed typed-in text into the user's collection (synchronous)",
        "The text is chunked, embedded as passages (multilingual-e5-small, or the configured embeddings engine) and stored in `resumes`, `portfolios` or `job_postings` under `user_id` + `id`; embedding the same `id` again replaces its vectors. `vector_id` is the document's id in the collection (each chunk is `<vector_id>_<n>`).",
        request(&["type", "id", "user_id", "text"], json!({
            "type": { "type": "string", "enum": ["resume", "portfolio", "job_posting"] },
            "id": { "type": "string", "description": "resume_id, portfolio_id or posting_id" },
            "user_id": text, "text": text })),
        sync_responses(
            body_of(&["embedding_success"], json!({ "type": "object", "properties": {
                "success": { "const": true }, "type": text, "id": text, "vector_id": text,
                "collection": { "enum": ["resumes", "portfolios", "job_postings"] },
                "chunks": { "type": "integer" }, "model": text } })),
            &with_common(&[
                ("400", "invalid_document_type 4002 / empty_text 4004 / missing_required_field 4003"),
                ("500", "embedding_failed 5002"),
            ]),
        ),
    ));
    paths.insert("/ai/analyze".into(), operation(
        "seed001_analyze",
        "Seed 001 §3: resume × posting analysis and matching (streamed)",
        &format!("{EVENTS} Skills come from a dictionary of Korean and English names and spellings (리액트 = React, 쿠버네티스 = Kubernetes), with embeddings for near-synonyms the dictionary misses; required vs preferred from the posting's sections (자격요건/필수 vs 우대사항); company, position and deadline from the calendar parser. With a language model for the alias `default`, the narrative fields (strengths, weaknesses, suggestions, recommendations) stream from it (`method: \"llm\"`); without one they are derived from the matching (`method: \"rules\"`)."),
        request(&["resume_id", "posting_id", "resume_text", "posting_text"], json!({
            "resume_id": text, "posting_id": text, "resume_text": text, "posting_text": text })),
        streamed_responses(
            body_of(&["analysis_complete"], json!({ "type": "object", "properties": {
                "success": { "const": true },
                "resume_analysis": { "type": "object", "properties": {
                    "strengths": strings(), "weaknesses": strings(), "suggestions": strings() } },
                "posting_analysis": { "type": "object", "properties": {
                    "company": { "type": ["string", "null"] }, "position": { "type": ["string", "null"] },
                    "required_skills": strings(), "preferred_skills": strings(),
                    "deadline": { "type": ["string", "null"], "description": "YYYY-MM-DD" } } },
                "matching": { "type": "object", "properties": {
                    "score": { "type": "integer", "minimum": 0, "maximum": 100 }, "grade": text,
                    "matched_skills": strings(), "missing_skills": strings(), "recommendations": strings() } },
                "method": { "enum": ["llm", "rules"] } } })),
            &with_common(&[("400", "missing_resume_text 4005 / missing_posting_text 4006 / missing_required_field 4003")]),
        ),
    ));
    paths.insert("/ai/interview/question".into(), operation(
        "seed001_interview_question",
        "Seed 001 §4.1: the next interview question, or a follow-up on the last answer (synchronous)",
        "Uses the session's saved questions and answers (kept by the `career` component in its granted key-value store) and, when `user_id` is sent (Capsule's addition), a search over that user's embedded resume and portfolio. `question_number` counts 1..5; a sixth is `max_questions_reached` 4008. Without a language model the question is built from the posting's required skills and the resume's projects per interview type, and a follow-up from the last answer's content (`method: \"rules\"`).",
        request(&["room_id", "session_id", "interview_type", "resume_text", "posting_text"], json!({
            "room_id": text, "session_id": text,
            "interview_type": { "type": "string", "enum": ["personality", "technical"] },
            "resume_text": text, "posting_text": text,
            "user_id": { "type": "string", "description": "Capsule's addition: search this user's embedded documents" } })),
        sync_responses(
            body_of(&["question_generated"], json!({ "type": "object", "properties": {
                "success": { "const": true }, "question_id": text, "question": text,
                "is_followup": { "type": "boolean" }, "question_number": { "type": "integer", "minimum": 1, "maximum": 5 },
                "method": { "enum": ["llm", "rules"] } } })),
            &with_common(&[("400", "invalid_interview_type 4007 / max_questions_reached 4008 / missing_required_field 4003")]),
        ),
    ));
    paths.insert("/ai/interview/save".into(), operation(
        "seed001_interview_save",
        "Seed 001 §4.2: save one question and its answer (synchronous)",
        "Saving the same `question_id` again replaces its answer.",
        request(&["room_id", "session_id", "question_id", "question", "answer", "is_followup", "question_number"], json!({
            "room_id": text, "session_id": text, "question_id": text, "question": text, "answer": text,
            "is_followup": { "type": "boolean" }, "question_number": { "type": "integer", "minimum": 1, "maximum": 5 } })),
        sync_responses(
            body_of(&["qa_saved"], json!({ "type": "object", "properties": {
                "success": { "const": true }, "qa_id": text, "session_id": text,
                "saved_count": { "type": "integer" }, "max_questions": { "const": 5 } } })),
            &with_common(&[("400", "missing_required_field 4003")]),
        ),
    ));
    paths.insert("/ai/interview/report".into(), operation(
        "seed001_interview_report",
        "Seed 001 §4.3: evaluation and feedback from the saved answers (streamed)",
        &format!("{EVENTS} Each saved answer is scored (by the language model for `default`, else by a rubric: specificity, numbers and results, terms of the question's topic, situation-task-action-result structure, hedging; `method` says which), then the report sums them up."),
        request(&["room_id", "session_id", "interview_type", "resume_text", "posting_text", "ended_by"], json!({
            "room_id": text, "session_id": text,
            "interview_type": { "type": "string", "enum": ["personality", "technical"] },
            "resume_text": text, "posting_text": text, "ended_by": { "type": "string", "enum": ["auto", "manual"] } })),
        streamed_responses(
            body_of(&["report_generated"], json!({ "type": "object", "properties": {
                "success": { "const": true }, "room_id": text, "session_id": text,
                "evaluations": { "type": "array", "items": { "type": "object", "properties": {
                    "qa_id": text, "question": text, "answer": text, "score": { "type": "integer" },
                    "good_points": strings(), "improvements": strings() } } },
                "report": { "type": "object", "properties": {
                    "total_score": { "type": "integer" }, "grade": text, "strength_patterns": strings(),
                    "weakness_patterns": strings(), "learning_guide": strings() } },
                "method": { "enum": ["llm", "rules"] } } })),
            &with_common(&[
                ("400", "no_qa_found 4009 / invalid_interview_type 4007 / missing_required_field 4003"),
                ("404", "session_not_found 4043"),
            ]),
        ),
    ));
    paths.insert("/ai/chat".into(), operation(
        "seed001_chat",
        "Seed 001 §5: chat with RAG and tools (streamed)",
        &format!("{EVENTS} Tools (the backend runs them and calls again with `tool_result`): `get_schedule` — params `{{start_date, end_date}}` (YYYY-MM-DD, inclusive): the user's calendar events in that range; the backend answers with `tool_result: {{tool: \"get_schedule\", success, data: [{{title, date, time}}]}}` and the answer uses them. With a language model for `default`, answers search the user's `resumes`, `portfolios` and `job_postings` and cite them in `sources`. Without one: schedule questions (이번 주 일정, 다음 주 면접 언제야) still become `get_schedule` with the right dates and a `tool_result` still gets its answer (`method: \"rules\"`); anything else is `ai_service_unavailable` 5031."),
        request(&["room_id", "user_id"], json!({
            "room_id": text, "user_id": text,
            "message": { "type": "string", "description": "Required unless `tool_result` is sent" },
            "history": { "type": "array", "items": { "type": "object", "required": ["role", "content"], "properties": {
                "role": { "enum": ["user", "assistant"] }, "content": text } } },
            "tool_result": { "type": "object", "required": ["tool"], "properties": {
                "tool": { "enum": ["get_schedule"] }, "success": { "type": "boolean" }, "data": {} } },
            "reference_date": { "type": "string", "description": "Capsule's addition: the date relative expressions count from (default: today in Asia/Seoul)" } })),
        streamed_responses(
            body_of(&["chat_response", "tool_required"], json!({ "type": "object", "properties": {
                "success": { "const": true }, "response": { "type": ["string", "null"] },
                "tool_used": { "oneOf": [{ "type": "null" }, { "type": "object", "properties": {
                    "tool": { "const": "get_schedule" },
                    "params": { "type": "object", "properties": { "start_date": text, "end_date": text } } } }] },
                "sources": { "type": "array", "items": { "type": "object" } },
                "method": { "enum": ["llm", "rules"] } } })),
            &with_common(&[("400", "missing_required_field 4003")]),
        ),
    ));
}
