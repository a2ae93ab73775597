//! Seed 000's part of `/openapi.json`.

use serde_json::{Map, Value, json};

use super::CODES;
use crate::api::profile::{Fragment, describe_codes};

fn detail_error(what: &str) -> Value {
    json!({ "description": what, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/FastApiError" } } } })
}

fn body(schema: Value) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema } } })
}

fn answer(what: &str, schema: Value) -> Value {
    json!({ "description": what, "content": { "application/json": { "schema": schema } } })
}

pub fn fragment() -> Fragment {
    let codes = describe_codes(CODES);
    let task_id = json!([{ "name": "task_id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "A task id (a Capsule job id)." }]);
    let item = json!({"type": "object", "required": ["id", "title", "score"], "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "score": {"type": "integer", "minimum": 0, "maximum": 100},
        "evidence": {"type": "array", "items": {"type": "object"}, "description": "Capsule's addition: the plan's sentences behind the score."}}});
    let diagnosis = json!({"type": "object", "required": ["categories", "score_average"], "properties": {
        "categories": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "items": {"type": "array", "items": item}}}},
        "score_average": {"type": "number"},
        "method": {"type": "string", "description": "Capsule's addition: `llm` (a model scored it) or `rubric-embedding` (the evidence-based rubric scorer)."}}});
    let criterion = json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "카테고리": {"type": "string"},
        "평가항목": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}, "내용": {"type": "string"}}}}}});
    let mut paths = Map::new();
    paths.insert(
        "/".into(),
        json!({ "get": {
        "tags": ["seed 000"], "operationId": "seed000_root", "security": [],
        "summary": "Seed 000: the API's structure (the routes of seed 000 this host serves)",
        "responses": { "200": answer("Root info", json!({"type": "object", "properties": {
            "message": {"type": "string"}, "version": {"type": "string"}, "model": {"type": "string"},
            "api_structure": {"type": "object"}, "documentation": {"type": "string"}}})) } } }),
    );
    let diagnose = json!({
        "tags": ["seed 000"], "summary": "Seed 000 §2.1: score a business plan on 30 items (synchronous)",
        "description": format!("5 categories × 6 items, or the request's own `evaluation`. With a model configured for the alias `default`: scored by it, each item with the sentences that justify it; otherwise by the evidence-based rubric scorer (`method`). Codes: {codes}"),
        "requestBody": body(json!({"type": "object", "required": ["input"], "properties": {
            "input": {"type": "array", "items": {"type": "object", "properties": {"contents": {"type": "string"}, "query": {"type": "string"}}}},
            "evaluation": {"type": "array", "items": criterion.clone()}}})),
        "responses": {
            "200": answer("The scores", diagnosis),
            "422": detail_error("validation_error: FastAPI's `detail` list"),
            "503": detail_error("busy / not_configured"),
            "500": detail_error("failed"),
        }
    });
    let mut with_slash = diagnose.clone();
    with_slash["operationId"] = json!("seed000_diagnose");
    let mut without = diagnose;
    without["operationId"] = json!("seed000_diagnose_no_slash");
    paths.insert("/api/diagnosis/".into(), json!({ "post": with_slash }));
    paths.insert("/api/diagnosis".into(), json!({ "post": without }));
    paths.insert("/api/diagnosis/criteria".into(), json!({ "get": {
        "tags": ["seed 000"], "operationId": "seed000_criteria", "summary": "Seed 000 §2.2: the default criteria (30 items)",
        "responses": { "200": answer("The criteria", json!({"type": "object", "properties": {
            "total_categories": {"type": "integer"}, "total_items": {"type": "integer"},
            "criteria": {"type": "array", "items": criterion}}})), "503": detail_error("busy / not_configured") } } }));
    paths.insert("/api/reports/regenerate".into(), json!({ "post": {
        "tags": ["seed 000"], "operationId": "seed000_regenerate",
        "summary": "Seed 000 §4.2: rewrite a section (자세히, 간결하게, 윤문) or search (특허, 뉴스) as a task",
        "description": "Answers at once with the task id; poll `GET /api/jobs/status/{task_id}`. 간결하게 works without a model (extractive); 자세히 and 윤문 need one (`LLM_NOT_CONFIGURED` otherwise); 특허 (KIPRIS Plus, applications since 2020) and 뉴스 (Naver news search) call the provider the operator configured (`CAPSULE_VARIABLE_KIPRIS_API_KEY`, `CAPSULE_VARIABLE_NAVER_CLIENT_ID`/`_SECRET`); without it `SEARCH_NOT_CONFIGURED`, and `SEARCH_UPSTREAM_FAILED` when the provider fails. Their `result` also carries `search` (`provider`, `query`, `total`, `items[]`).",
        "requestBody": body(json!({"type": "object", "required": ["classification"], "properties": {
            "classification": {"enum": ["자세히", "간결하게", "윤문", "특허", "뉴스"]},
            "contents": {"type": "string"}, "subject": {"type": "string"}}})),
        "responses": {
            "200": answer("Started", json!({"type": "object", "properties": {"success": {"type": "boolean"}, "message": {"type": "string"}, "task_id": {"type": "string"}}})),
            "422": detail_error("validation_error"), "503": detail_error("busy / not_configured") } } }));
    paths.insert("/api/jobs/status/{task_id}".into(), json!({ "get": {
        "tags": ["seed 000"], "operationId": "seed000_job_status", "parameters": task_id.clone(),
        "summary": "Seed 000 §5.1: a task's Celery state",
        "description": "PENDING (queued; also any unknown id, as Celery answers), STARTED (claimed, no progress yet), PROGRESS (`meta.current`/`meta.total`/`meta.status`), RETRY (a failed attempt waits for its retry; `error` says why), SUCCESS (`result`), FAILURE (`error`), REVOKED (cancelled).",
        "responses": { "200": answer("The state", json!({"type": "object", "required": ["task_id", "status"], "properties": {
            "task_id": {"type": "string"}, "status": {"enum": ["PENDING", "STARTED", "PROGRESS", "RETRY", "SUCCESS", "FAILURE", "REVOKED"]},
            "result": {}, "error": {"type": ["string", "null"]}, "meta": {"type": ["object", "null"]}}})) } } }));
    paths.insert("/api/jobs/cancel/{task_id}".into(), json!({ "delete": {
        "tags": ["seed 000"], "operationId": "seed000_job_cancel", "parameters": task_id,
        "summary": "Seed 000 §5.3: cancel a task (`success: false` once it has finished)",
        "responses": { "200": answer("Sent", json!({"type": "object", "properties": {"success": {"type": "boolean"}, "message": {"type": "string"}, "task_id": {"type": "string"}}})) } } }));
    paths.insert("/api/jobs/list".into(), json!({ "get": {
        "tags": ["seed 000"], "operationId": "seed000_job_list",
        "summary": "Seed 000 §5.2: the caller's running (`active`), waiting (`reserved`) and retry-delayed (`scheduled`) tasks",
        "responses": { "200": answer("The tasks", json!({"type": "object", "properties": {
            "active": {"type": "array", "items": {"type": "object"}}, "scheduled": {"type": "array", "items": {"type": "object"}},
            "reserved": {"type": "array", "items": {"type": "object"}}}})) } } }));
    let expert = json!({"type": "object", "required": ["id", "name", "career", "field", "career_file_name", "is_visible"], "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"},
        "career": {"type": "array", "items": {"type": "string"}}, "field": {"type": "array", "items": {"type": "string"}},
        "career_file_name": {"type": ["string", "null"]}, "is_visible": {"type": "boolean"}}});
    paths.insert("/api/expert/list".into(), json!({ "get": {
        "tags": ["seed 000"], "operationId": "seed000_expert_list",
        "summary": "Seed 000 §3.2: every expert in the registry (loaded with `capsule experts import` or `POST /api/v1/experts`)",
        "responses": { "200": answer("The experts", json!({"type": "object", "required": ["total_count", "experts"], "properties": {
            "total_count": {"type": "integer"}, "experts": {"type": "array", "items": {"$ref": "#/components/schemas/Expert"}}}})),
            "503": detail_error("busy") } } }));
    paths.insert(
        "/api/expert/{expert_name}".into(),
        json!({ "get": {
        "tags": ["seed 000"], "operationId": "seed000_expert_get",
        "parameters": [{ "name": "expert_name", "in": "path", "required": true, "schema": {"type": "string"} }],
        "summary": "Seed 000 §3.3: one expert by name",
        "responses": { "200": answer("The expert", json!({"$ref": "#/components/schemas/Expert"})),
            "404": detail_error("not_found: `전문가 '…'을(를) 찾을 수 없습니다.`") } } }),
    );
    let pair = json!({"type": "object", "properties": {"keyword": {"type": "string"}, "matched_item": {"type": "string"}, "similarity": {"type": "number"}}});
    paths.insert("/api/expert/match".into(), json!({ "post": {
        "tags": ["seed 000"], "operationId": "seed000_expert_match",
        "summary": "Seed 000 §3.1: experts ranked for a business report (semantic_count)",
        "description": format!("Synchronous, as in the original: the `expert-match` component extracts `num_keywords` keywords from the report, compares each with every visible expert's field and career items by embedding similarity (the embeddings engine; without one a character-bigram similarity, `matching_method: lexical_count`), counts the keywords whose best item reaches `similarity_threshold`, and ranks by that count, then the mean similarity of the matches (`평균_유사도`, Capsule's addition). Experts without a match are left out. Codes: {codes}."),
        "requestBody": body(json!({"type": "object", "required": ["business_report"], "properties": {
            "business_report": {"type": "string"}, "num_keywords": {"type": "integer", "minimum": 1, "maximum": 10, "default": 10},
            "top_k": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
            "similarity_threshold": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5}}})),
        "responses": {
            "200": answer("The ranking", json!({"type": "object", "properties": {
                "keywords": {"type": "array", "items": {"type": "string"}}, "matching_method": {"enum": ["semantic_count", "lexical_count"]},
                "similarity_threshold": {"type": "number"}, "total_experts_evaluated": {"type": "integer"},
                "final_ranking": {"type": "array", "items": {"type": "object", "properties": {
                    "순위": {"type": "integer"}, "이름": {"type": "string"}, "경력": {"type": "array", "items": {"type": "string"}},
                    "분야": {"type": "array", "items": {"type": "string"}}, "경력파일명": {"type": ["string", "null"]},
                    "매칭_개수": {"type": "integer"}, "매칭_상세": {"type": "array", "items": pair}, "평균_유사도": {"type": "number"}}}}}})),
            "422": detail_error("validation_error"), "503": detail_error("busy / not_configured") } } }));
    paths.insert("/api/reports/upload".into(), json!({ "post": {
        "tags": ["seed 000"], "operationId": "seed000_report_upload",
        "summary": "Seed 000 §4.5: store a reference report under its file name",
        "description": "The part named `file` is stored as a file of the caller's (up to `--max-file-size`) and registered under its file name. A name already registered is refused with `success: false` and `s3_url: null` (200, as the original answers). `s3_url` is the file's URL (`GET /api/v1/files/{id}`).",
        "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": {
            "type": "object", "required": ["file"], "properties": { "file": { "type": "string", "format": "binary" } } } } } },
        "responses": {
            "200": answer("Stored, or refused as a duplicate", json!({"type": "object", "required": ["success", "message", "file_name", "s3_url"], "properties": {
                "success": {"type": "boolean"}, "message": {"type": "string"}, "file_name": {"type": "string"}, "s3_url": {"type": ["string", "null"]}}})),
            "413": detail_error("payload_too_large"), "422": detail_error("validation_error"), "503": detail_error("busy") } } }));
    paths.insert("/api/reports/embed".into(), json!({ "post": {
        "tags": ["seed 000"], "operationId": "seed000_report_embed",
        "summary": "Seed 000 §4.4: embed an uploaded report (text, tables, text in images) as a task",
        "description": "Runs the `report-embed` component on the report uploaded under `file_name`: its text layer in chunks, its tables (rows kept together), and the text of its images (each page rendered and read by the OCR engine; lines the text layer lacks), each embedded into the `reports` collection with the report's metadata. `number`, `title`, `field`, `category_number` and `keywords` (Capsule's additions: the original read them from its database) are optional; a missing title is the first heading, missing keywords come from the text, and a report without a category is found under every category. Poll `GET /api/jobs/status/{task_id}`; `result` is `{success, message: \"임베딩 완료\", embed_id, title, keywords, chunks{text, table, image}, pages, warnings}`.",
        "requestBody": body(json!({"type": "object", "required": ["file_name", "embed_id"], "properties": {
            "file_name": {"type": "string"}, "embed_id": {"type": "string"}, "number": {"type": "integer"},
            "title": {"type": "string"}, "field": {"type": "string"}, "category_number": {"type": "integer", "minimum": 1, "maximum": 5},
            "keywords": {"type": "string"}}})),
        "responses": {
            "200": answer("Started", json!({"type": "object", "properties": {"success": {"type": "boolean"}, "message": {"type": "string"}, "embed_id": {"type": "string"}, "task_id": {"type": "string"}}})),
            "404": detail_error("not_found: no report was uploaded under that name"),
            "422": detail_error("validation_error"), "503": detail_error("busy / not_configured") } } }));
    paths.insert("/api/reports/search".into(), json!({ "post": {
        "tags": ["seed 000"], "operationId": "seed000_report_search",
        "summary": "Seed 000 §4.3: reports similar to a business idea, within a category",
        "description": format!("Synchronous, as in the original: the `report-search` component embeds `사업아이디어: …\\n핵심가치제안: …` and ranks the embedded reports of `category_number` (and those embedded without one) by their best chunk's similarity. Codes: {codes}."),
        "requestBody": body(json!({"type": "object", "required": ["business_idea", "core_value", "category_number"], "properties": {
            "business_idea": {"type": "string"}, "core_value": {"type": "string"},
            "category_number": {"type": "integer", "minimum": 1, "maximum": 5},
            "top_k": {"type": "integer", "minimum": 1, "maximum": 20, "default": 5}}})),
        "responses": {
            "200": answer("The reports", json!({"type": "object", "properties": {
                "success": {"type": "boolean"}, "query": {"type": "string"}, "category_number": {"type": "integer"},
                "total_found": {"type": "integer"}, "results": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "number": {"type": ["integer", "null"]}, "title": {"type": ["string", "null"]},
                    "field": {"type": ["string", "null"]}, "keywords": {"type": ["string", "null"]}, "file_name": {"type": "string"},
                    "category_number": {"type": ["integer", "null"]}, "similarity": {"type": "number"}}}}}})),
            "422": detail_error("validation_error"), "503": detail_error("busy / not_configured") } } }));
    let mut schemas = Map::new();
    schemas.insert("Expert".into(), expert);
    schemas.insert(
        "FastApiError".into(),
        json!({"type": "object", "required": ["detail"], "properties": {
        "detail": {"description": "A sentence, or (422) FastAPI's list of `{loc, msg, type}`"}}}),
    );
    Fragment { paths, schemas }
}
