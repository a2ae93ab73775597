//! Seed 002's part of `/openapi.json`.

use serde_json::{Map, Value, json};

use super::{CODES, SCHEMA_VERSION};
use crate::api::profile::{Fragment, describe_codes};

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn json_response(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

fn envelope(data: Value) -> Value {
    json!({ "type": "object", "required": ["success", "data", "meta"], "properties": {
        "success": { "const": true }, "data": data, "meta": schema_ref("AnalysisMeta") } })
}

pub fn fragment() -> Fragment {
    let codes = describe_codes(CODES);
    let status = json!({ "enum": ["queued", "processing", "completed", "failed"] });
    let strings = json!({ "type": "array", "items": { "type": "string" } });
    let result = json!({ "type": "object", "required": ["summary", "contentIdeas", "recommendedKeywords", "meta"], "properties": {
        "summary": { "type": "object", "required": ["majorReactions", "positivePoints", "weakPoints"], "properties": {
            "majorReactions": { "type": "string" }, "positivePoints": { "type": "string" }, "weakPoints": { "type": "string" } } },
        "contentIdeas": { "type": "array", "items": { "type": "object", "required": ["title", "description"], "properties": {
            "title": { "type": "string" }, "description": { "type": "string" } } } },
        "recommendedKeywords": { "type": "array", "maxItems": 8, "items": { "type": "string" } },
        "meta": { "type": "object", "required": ["model", "analyzedAt", "analysisBasis", "analysisVersion", "schemaVersion"], "properties": {
            "model": { "type": "string" }, "analyzedAt": { "type": "string", "format": "date-time" },
            "commentSampleCount": { "type": "integer" }, "analysisBasis": strings.clone(),
            "languageSummary": strings.clone(), "cacheHit": { "type": "boolean" },
            "analysisVersion": { "type": "string" }, "schemaVersion": { "const": SCHEMA_VERSION },
            "warnings": strings.clone(),
            "method": { "enum": ["llm", "statistical"], "description": "Capsule's addition: `llm` when a model wrote the summary; `statistical` (TF-IDF keywords, lexicon sentiment, clustered reactions, no content ideas) otherwise" } } } } });
    let failure = json!({ "type": "object", "required": ["code", "message"], "properties": {
        "code": { "type": "string" }, "message": { "type": "string" } } });
    let job = json!({ "type": "object", "required": ["jobId", "status"], "properties": {
        "jobId": { "type": "string" }, "status": status,
        "progress": { "type": "integer", "minimum": 0, "maximum": 100 },
        "step": { "type": "string" }, "message": { "type": "string" },
        "result": schema_ref("AnalysisResult"), "error": failure } });
    let meta = json!({ "type": "object", "required": ["requestId", "timestamp"], "properties": {
        "requestId": { "type": "string" }, "timestamp": { "type": "string", "format": "date-time" },
        "cacheHit": { "type": "boolean", "description": "On create: the result was reused from an earlier analysis" } } });
    let error = json!({ "type": "object", "required": ["success", "error", "meta"], "properties": {
        "success": { "const": false }, "error": failure, "meta": schema_ref("AnalysisMeta") } });
    let tags = json!(["seed 002: comment analysis"]);
    let mut paths = Map::new();
    paths.insert("/api/analysis/jobs".into(), json!({ "post": {
        "tags": tags, "operationId": "seed002_create_analysis",
        "summary": "Seed 002 A: start (or reuse) the analysis of a video's comments",
        "description": format!("Runs the `comment-analysis` component. Cache policy: without `forceRefresh`, an analysis of the same request under the same `analysisVersion` (`--analysis-version`) is reused — at once as `completed` with `result` and `meta.cacheHit: true` when it finished, or as the job in flight. `forceRefresh: true` runs it again. Comments come from the YouTube Data API (`youtube_api_key` in the runtime configuration) or from `comments` in the body. Codes: {codes}."),
        "requestBody": { "required": true, "content": { "application/json": { "schema": {
            "type": "object", "required": ["videoId"], "properties": {
                "videoId": { "type": "string", "description": "A YouTube video id, or an internal id when `comments` are sent" },
                "forceRefresh": { "type": "boolean", "default": false },
                "title": { "type": "string", "description": "Capsule's addition: the video's title, for videos not on YouTube" },
                "description": { "type": "string", "description": "Capsule's addition" },
                "comments": { "type": "array", "description": "Capsule's addition: the comments to analyse (strings or {text, likeCount}); no YouTube call is made",
                    "items": { "oneOf": [{ "type": "string" }, { "type": "object", "required": ["text"], "properties": {
                        "text": { "type": "string" }, "likeCount": { "type": "integer" } } }] } },
                "sampleSize": { "type": "integer", "minimum": 1, "maximum": 1000, "description": "Capsule's addition: how many comments to read (default 300)" } } } } } },
        "responses": {
            "200": json_response("Created, joined or answered from the cache", envelope(schema_ref("AnalysisJob"))),
            "400": json_response("COMMON_INVALID_REQUEST (`videoId가 필요합니다.`)", schema_ref("AnalysisError")),
            "413": json_response("COMMON_PAYLOAD_TOO_LARGE", schema_ref("AnalysisError")),
            "503": json_response("ANALYSIS_UNAVAILABLE / ANALYSIS_STORAGE_FAILED", schema_ref("AnalysisError"))
        } } }));
    paths.insert("/api/analysis/jobs/{jobId}".into(), json!({ "get": {
        "tags": tags, "operationId": "seed002_analysis_status",
        "summary": "Seed 002 B: an analysis job's status, progress and result",
        "description": format!("`queued | processing` (with `progress`, `step`, `message` when the component reported them), `completed` with `result` (schema `{SCHEMA_VERSION}`), or `failed` with `error {{code, message}}` — still `success: true`, as the seed shows. Codes: {codes}."),
        "parameters": [{ "name": "jobId", "in": "path", "required": true, "schema": { "type": "string" } }],
        "responses": {
            "200": json_response("The job", envelope(schema_ref("AnalysisJob"))),
            "404": json_response("ANALYSIS_JOB_NOT_FOUND", schema_ref("AnalysisError"))
        } } }));
    let schemas = Map::from_iter([
        ("AnalysisResult".to_string(), result),
        ("AnalysisJob".to_string(), job),
        ("AnalysisMeta".to_string(), meta),
        ("AnalysisError".to_string(), error),
    ]);
    Fragment { paths, schemas }
}
