//! `/openapi.json` (OpenAPI 3.1, generated from the routes and from each
//! component's descriptor) and `/docs` (Swagger UI from embedded assets).
//!
//! The document is built as JSON rather than with utoipa's typed model:
//! capabilities bring their own JSON Schemas at run time, and OpenAPI 3.1
//! embeds JSON Schema 2020-12 as-is, which a typed schema model would have
//! to re-encode (and could not, for every keyword).

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::AppState;

mod defs;

const SWAGGER_JS: &[u8] = include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js");
const SWAGGER_CSS: &[u8] = include_bytes!("../../assets/swagger-ui/swagger-ui.css");

const DOCS_HTML: &str = r##"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Capsule API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="docs"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#docs", deepLinking: true });
  </script>
</body>
</html>"##;

pub async fn docs_page() -> Html<&'static str> {
    Html(DOCS_HTML)
}

/// Seed 004's `/swagger/`: the same page over `/schema/`, as drf-spectacular serves it.
pub async fn docs_page_at_schema() -> Html<String> {
    Html(DOCS_HTML.replace("url: \"/openapi.json\"", "url: \"/schema/\""))
}

pub async fn swagger_js() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "max-age=86400")], SWAGGER_JS)
        .into_response()
}

pub async fn swagger_css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=86400")], SWAGGER_CSS)
        .into_response()
}

pub async fn openapi(State(state): State<AppState>) -> axum::Json<Value> {
    axum::Json(document(&state))
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// A success envelope whose `data` is `data`.
fn envelope(data: Value) -> Value {
    json!({
        "type": "object",
        "required": ["success", "data", "meta"],
        "properties": { "success": { "const": true }, "data": data, "meta": schema_ref("Meta") }
    })
}

fn json_response(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

fn error_response(description: &str) -> Value {
    json_response(description, schema_ref("Error"))
}

fn param(name: &str, location: &str, required: bool, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": location, "required": required, "schema": schema, "description": description })
}

/// The job shape, with `result` typed by the capability's output schema.
fn job_schema(result: Value) -> Value {
    json!({
        "type": "object",
        "required": ["jobId", "status"],
        "properties": {
            "jobId": { "type": "string" },
            "capability": { "type": "string" },
            "status": { "enum": ["queued", "processing", "completed", "failed", "cancelled"] },
            "progress": { "type": "integer", "minimum": 0, "maximum": 100 },
            "step": { "type": "string" },
            "message": { "type": "string" },
            "result": result,
            "failure": schema_ref("Failure"),
            "error": { "type": "object", "properties": { "code": { "type": "string" }, "message": { "type": "string" } } },
            "attempts": { "type": "integer" },
            "maxAttempts": { "type": "integer" },
            "componentDigest": { "type": ["string", "null"] },
            "cacheHit": { "type": "boolean" },
            "deduplicated": { "type": "boolean" },
            "createdAt": { "type": "string", "format": "date-time" },
            "startedAt": { "type": ["string", "null"], "format": "date-time" },
            "finishedAt": { "type": ["string", "null"], "format": "date-time" },
            "updatedAt": { "type": "string", "format": "date-time" }
        }
    })
}

pub fn document(state: &AppState) -> Value {
    let job_id = param("id", "path", true, json!({"type": "string"}), "A job id (`job_…`).");
    let mut paths = Map::new();
    let mut schemas = shared_schemas();

    for entry in state.jobs.registry().iter() {
        let version = entry.current();
        let d = &version.descriptor;
        let name = &entry.spec.name;
        let input = defs::embed(&d.input_schema, &format!("{name}.input"), &mut schemas);
        let body = json!({ "required": true, "content": { "application/json": { "schema": input } } });
        let job = job_schema(defs::embed(&d.output_schema, &format!("{name}.output"), &mut schemas));
        let force = param(
            "forceRefresh",
            "query",
            false,
            json!({"type": "boolean"}),
            "Bypass the result cache (also accepted as a top-level `forceRefresh` body field).",
        );
        paths.insert(
            format!("/api/v1/{name}/jobs"),
            json!({ "post": {
                "tags": [name], "operationId": format!("{name}_submit"),
                "summary": format!("Submit a `{name}` job: {}", d.summary),
                "description": format!("Validates the body against the input schema and queues a job. Answers 202 with the job id, or 200 with the result on a cache hit. Mode: {:?}.", d.mode),
                "parameters": [force],
                "requestBody": body,
                "responses": {
                    "202": json_response("Queued", envelope(job.clone())),
                    "200": json_response("Answered from the cache", envelope(job.clone())),
                    "400": error_response("`COMMON_INVALID_REQUEST`: the body does not fit the input schema; the message names the field"),
                    "429": error_response("`COMMON_RATE_LIMITED`: the queue is full; retry after `Retry-After` seconds"),
                }
            }}),
        );
        paths.insert(
            format!("/api/v1/{name}"),
            json!({ "post": {
                "tags": [name], "operationId": format!("{name}_call"),
                "summary": format!("Call `{name}` and wait: {}", d.summary),
                "description": "Submits a job and waits for it (`?wait=`, default 30 s). 200 with the finished job, or 202 with the job id if it is still running.",
                "parameters": [
                    param("wait", "query", false, json!({"type": "string"}), "How long to wait: seconds (`10`) or a duration (`10s`)."),
                    force,
                ],
                "requestBody": body,
                "responses": {
                    "200": json_response("Finished (completed, failed or cancelled)", envelope(job.clone())),
                    "202": json_response("Still running; poll /api/v1/jobs/{id}", envelope(job)),
                    "400": error_response("Invalid input"),
                    "429": error_response("Queue full"),
                }
            }}),
        );
    }

    paths.insert(
        "/api/v1/jobs/{id}".into(),
        json!({
            "get": {
                "tags": ["jobs"], "operationId": "get_job", "summary": "A job's status, progress, result or failure",
                "parameters": [job_id],
                "responses": {
                    "200": json_response("The job", envelope(job_schema(json!({})))),
                    "404": error_response("`JOB_NOT_FOUND`"),
                }
            },
            "delete": {
                "tags": ["jobs"], "operationId": "cancel_job",
                "summary": "Cancel a job: a queued one at once, a running one is interrupted",
                "parameters": [job_id],
                "responses": {
                    "200": json_response("Cancelled", envelope(job_schema(json!({})))),
                    "404": error_response("`JOB_NOT_FOUND`"),
                    "409": error_response("`JOB_ALREADY_FINISHED`"),
                }
            }
        }),
    );
    paths.insert("/api/v1/jobs/{id}/events".into(), json!({
        "get": {
            "tags": ["jobs"], "operationId": "job_events",
            "summary": "Server-Sent Events: `state`, `progress`, `chunk`, then one of `completed` / `failed` / `cancelled`",
            "parameters": [job_id],
            "responses": {
                "200": { "description": "An event stream", "content": { "text/event-stream": { "schema": { "type": "string" } } } },
                "404": error_response("`JOB_NOT_FOUND`"),
            }
        }
    }));
    paths.insert("/api/v1/jobs".into(), json!({
        "get": {
            "tags": ["jobs"], "operationId": "list_jobs", "summary": "Jobs, newest first, a page at a time",
            "parameters": [
                param("capability", "query", false, json!({"type": "string"}), "Only this capability"),
                param("status", "query", false, json!({"enum": ["queued", "processing", "completed", "failed", "cancelled"]}), "Only this status"),
                param("limit", "query", false, json!({"type": "integer", "minimum": 1, "maximum": 500, "default": 50}), "Page size"),
                param("cursor", "query", false, json!({"type": "string"}), "`nextCursor` of the previous page"),
            ],
            "responses": {
                "200": json_response("A page", envelope(json!({
                    "type": "object",
                    "properties": {
                        "jobs": { "type": "array", "items": job_schema(json!({})) },
                        "nextCursor": { "type": ["string", "null"] }
                    }
                }))),
                "400": error_response("Bad filter"),
            }
        }
    }));
    paths.insert(
        "/api/v1/capabilities".into(),
        json!({
            "get": {
                "tags": ["capabilities"], "operationId": "capabilities",
                "summary": "Every capability served: descriptor, schemas, examples, limits, active digest",
                "responses": { "200": json_response("The capabilities", envelope(json!({"type": "object"}))) }
            }
        }),
    );
    paths.insert("/api/v1/files".into(), json!({
        "post": {
            "tags": ["files"], "operationId": "upload_file",
            "summary": "Upload a file; the returned URL can be passed to capabilities (`file_url`)",
            "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": {
                "type": "object", "properties": { "file": { "type": "string", "format": "binary" } }
            }}}},
            "responses": {
                "201": json_response("Stored", envelope(json!({"type": "object", "properties": {"url": {"type": "string"}, "file": {"type": "object"}}}))),
                "400": error_response("No file part"),
                "413": error_response("`FILE_TOO_LARGE`"),
            }
        }
    }));
    paths.insert(
        "/api/v1/files/{id}".into(),
        json!({
            "get": {
                "tags": ["files"], "operationId": "download_file",
                "summary": "Download a stored file, streamed, as the type sniffed from its bytes: inline only for raster images (not SVG), PDF, audio, video and UTF-8 plain text, else as an attachment; always with `nosniff` and a sandboxing Content-Security-Policy",
                "parameters": [param("id", "path", true, json!({"type": "string"}), "File id (`f_…`)")],
                "responses": { "200": { "description": "The file" }, "404": error_response("`FILE_NOT_FOUND`") }
            }
        }),
    );
    paths.insert("/health".into(), json!({
        "get": {
            "tags": ["operations"], "operationId": "health", "security": [],
            "summary": "Whether requests need a key (`auth.mode`: `open` or `keys`), components (digest, version), queue depth, store and blob store status, `bus` (`ok`, or why this host cannot hear the other hosts sharing its database: then `status` is `degraded`, answered 200), and each host engine (`engines.ocr`, `engines.pdf-render`, `engines.llm` with its `models` per alias, `engines.embeddings`, `engines.vectors`: available, version, or the reason it is unavailable and what to install or configure), `events.liveChannels` (jobs someone listens to right now), and `drift`: the components this host does not serve at the version every host sharing its database should (`component`, `serving`, `wanted`, and `error` and `step` once it was refused; a refusal makes `status` `degraded`, still 200 since the old version serves). Seed 000's health keys sit beside the envelope at the top level: `status` (`healthy`/`unhealthy`), `openai_api_key_configured` (a model serves the alias `default`), `supabase_configured` (the job store answers) and `total_experts`.",
            "responses": { "200": json_response("Healthy", envelope(json!({"type": "object"}))), "503": json_response("Degraded", envelope(json!({"type": "object"}))) }
        }
    }));
    let admin_refusals = json!({
        "401": json_response("`unauthorized` 4010 (no token) or `invalid_token` 4012 (seed 001 body)", schema_ref("SeedError")),
        "403": json_response("`forbidden` 4030: read-only token, or the admin API is disabled (no admin token configured)", schema_ref("SeedError")),
    });
    let with_refusals = |mut responses: Value| {
        if let (Some(r), Some(extra)) = (responses.as_object_mut(), admin_refusals.as_object()) {
            r.extend(extra.clone());
        }
        responses
    };
    let component_id = param("id", "path", true, json!({"type": "string"}), "Component id in spin.toml");
    let deployed = envelope(json!({"type": "object", "properties": {
        "component": {"type": "string"}, "digest": {"type": "string"}, "version": {"type": "string"},
        "previousDigest": {"type": "string"}, "compiledFromCache": {"type": "boolean"}, "tookMs": {"type": "number"},
        "preinit": {
            "description": "Jobs start from a snapshot taken after the component's warm-up (`wizer-initialize`); null for a component without one",
            "type": ["object", "null"], "properties": {
                "tookMs": {"type": ["number", "null"], "description": "Instrument, warm, snapshot and compile; null when the snapshot was already compiled and cached"},
                "warmMs": {"type": ["number", "null"], "description": "The warm-up call alone"}
            }
        }
    }}));
    paths.insert("/api/v1/components".into(), json!({
        "get": {
            "tags": ["admin"], "operationId": "list_components", "security": [{"bearer": []}],
            "summary": "Components: the digest and version this host serves (`activeDigest`), kept versions (the history every host shares), jobs per version, and `drift` (`null`, or the version the other hosts serve and why this one does not)",
            "responses": with_refusals(json!({ "200": json_response("The components", envelope(json!({"type": "object"}))) }))
        }
    }));
    paths.insert("/api/v1/components/{id}".into(), json!({
        "put": {
            "tags": ["admin"], "operationId": "push_component", "security": [{"bearer": []}],
            "summary": "Hot-swap: upload a new `.wasm`; it serves only after compile, import check, describe and examples pass, then on every host sharing the database",
            "parameters": [component_id],
            // Any content type is read as the bytes; octet-stream is listed so
            // generic clients (and Schemathesis) know how to send them.
            "requestBody": { "required": true, "content": {
                "application/wasm": { "schema": { "type": "string", "format": "binary" } },
                "application/octet-stream": { "schema": { "type": "string", "format": "binary" } }
            } },
            "responses": with_refusals(json!({
                "200": json_response("Now serving", deployed.clone()),
                "400": error_response("The body is not WebAssembly"),
                "404": error_response("`COMPONENT_NOT_FOUND`"),
                "413": error_response("`COMPONENT_TOO_LARGE`: over `--max-component-size`"),
                "422": error_response("`COMPONENT_INVALID`: refused; `error.details.step` is compile, preinit, imports, instantiate, describe, descriptor or example; the old version keeps serving"),
            }))
        }
    }));
    paths.insert("/api/v1/components/{id}/rollback".into(), json!({
        "post": {
            "tags": ["admin"], "operationId": "rollback_component", "security": [{"bearer": []}],
            "summary": "Serve the previous version again (or the kept version `to`), on every host sharing the database",
            "parameters": [component_id, param("to", "query", false, json!({"type": "string"}), "A kept version's digest")],
            "responses": with_refusals(json!({
                "200": json_response("Rolled back", deployed),
                "404": error_response("`COMPONENT_NOT_FOUND` or `VERSION_NOT_FOUND`"),
                "409": error_response("`NO_PREVIOUS_VERSION`"),
            }))
        }
    }));
    paths.insert("/api/v1/components/{id}/versions".into(), json!({
        "get": {
            "tags": ["admin"], "operationId": "component_versions", "security": [{"bearer": []}],
            "summary": "Kept versions of one component (active, loaded, version, jobs per version)",
            "parameters": [component_id],
            "responses": with_refusals(json!({ "200": json_response("The versions", envelope(json!({"type": "object"}))), "404": error_response("`COMPONENT_NOT_FOUND`") }))
        }
    }));
    let key_view = json!({"type": "object", "properties": {
        "id": {"type": "string"}, "tenant": {"type": "string"}, "role": {"type": "string", "enum": ["submitter", "viewer", "admin"]},
        "name": {"type": "string"}, "rateLimit": {"type": ["string", "null"]}, "createdAt": {"type": "string"},
        "expiresAt": {"type": ["string", "null"]}, "revokedAt": {"type": ["string", "null"]}
    }});
    paths.insert("/api/v1/keys".into(), json!({
        "get": {
            "tags": ["admin"], "operationId": "list_keys", "security": [{"bearer": []}],
            "summary": "API keys (never their secrets)",
            "responses": with_refusals(json!({ "200": json_response("The keys", envelope(json!({"type": "object", "properties": {"keys": {"type": "array", "items": key_view}}}))) }))
        },
        "post": {
            "tags": ["admin"], "operationId": "create_key", "security": [{"bearer": []}],
            "summary": "Create an API key for a tenant; the key is in this answer only",
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "object", "required": ["tenant", "role"], "additionalProperties": false,
                "properties": {
                    "tenant": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
                    "role": {"type": "string", "enum": ["submitter", "viewer", "admin"]},
                    "name": {"type": "string", "maxLength": 200},
                    "rateLimit": {"type": "string", "description": "e.g. `20/s`, `600/m`; default: the server's --rate-limit"},
                    "expiresIn": {"type": "string", "description": "e.g. `30d`, `12h`; default: never"}
                }
            } } } },
            "responses": with_refusals(json!({
                "201": json_response("The key (shown once) and its record", envelope(json!({"type": "object", "required": ["key"], "properties": {"key": {"type": "string"}}}))),
                "400": error_response("`COMMON_INVALID_REQUEST`: the field and what is wrong"),
            }))
        }
    }));
    paths.insert("/api/v1/experts".into(), json!({
        "get": {
            "tags": ["admin"], "operationId": "list_experts", "security": [{"bearer": []}],
            "summary": "Seed 000's expert registry",
            "responses": with_refusals(json!({ "200": json_response("The registry", envelope(json!({"type": "object", "properties": {"experts": {"type": "array", "items": {"$ref": "#/components/schemas/Expert"}}}}))) }))
        },
        "post": {
            "tags": ["admin"], "operationId": "import_experts", "security": [{"bearer": []}],
            "summary": "Import experts into seed 000's registry (as `capsule experts import`)",
            "description": "A JSON list of `{name, career[], field[], career_file_name, is_visible}` (or `{\"experts\": [...]}`), or CSV with `Content-Type: text/csv` (header `name,career,field,career_file_name,is_visible`; list cells separated by `;`). Matched by name: a known name keeps its id. `?replace=true` removes the experts the body does not name.",
            "parameters": [param("replace", "query", false, json!({"type": "boolean"}), "Remove the experts the body does not name")],
            "requestBody": { "required": true, "content": {
                "application/json": { "schema": {} },
                "text/csv": { "schema": {"type": "string"} } } },
            "responses": with_refusals(json!({
                "200": json_response("What changed", envelope(json!({"type": "object", "properties": {
                    "added": {"type": "integer"}, "updated": {"type": "integer"}, "removed": {"type": "integer"}, "total": {"type": "integer"}}}))),
                "400": error_response("`COMMON_INVALID_REQUEST`: the entry and field that is wrong"),
            }))
        }
    }));
    paths.insert("/api/v1/keys/{id}".into(), json!({
        "delete": {
            "tags": ["admin"], "operationId": "revoke_key", "security": [{"bearer": []}],
            "summary": "Revoke a key: it stops working at once",
            "parameters": [param("id", "path", true, json!({"type": "string"}), "The key's id (12 hex digits after `csk_`)")],
            "responses": with_refusals(json!({ "200": json_response("Revoked", envelope(key_view)), "404": error_response("`KEY_NOT_FOUND`") }))
        }
    }));
    let seed_001 = super::career::fragment();
    paths.extend(seed_001.paths);
    schemas.extend(seed_001.schemas);
    let seed_000 = super::business::fragment();
    paths.extend(seed_000.paths);
    schemas.extend(seed_000.schemas);
    let seed_002 = super::analysis::fragment();
    paths.extend(seed_002.paths);
    schemas.extend(seed_002.schemas);
    let seed_003 = super::video::fragment();
    paths.extend(seed_003.paths);
    schemas.extend(seed_003.schemas);
    let seed_004 = super::gpt_jobs::fragment();
    paths.extend(seed_004.paths);
    schemas.extend(seed_004.schemas);

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Capsule",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "AI capabilities as sandboxed WebAssembly components, served as jobs. Every call is a job: submit, poll or stream, cancel. Envelope: `{success, data, meta: {requestId, timestamp}}`; errors `{success: false, error: {code, message}, meta}` with `DOMAIN_REASON` codes."
        },
        "paths": paths,
        // Routes that need no key (health, docs) override this with `security: []`.
        "security": [{"bearer": []}, {"apiKey": []}],
        "components": {
          "securitySchemes": {
            "bearer": { "type": "http", "scheme": "bearer", "description": "An API key (`csk_…`, from `capsule keys create`), or on the admin routes CAPSULE_ADMIN_TOKEN / CAPSULE_VIEWER_TOKEN. Needed once any key exists; until then the API is open." },
            "apiKey": { "type": "apiKey", "in": "header", "name": "X-API-Key", "description": "The same API key, for clients that cannot set Authorization." },
            "account": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "Seed 003: an account's `access_token` from /api/auth/signup, /api/auth/login or the Google callback." }
          },
          "schemas": schemas
        }
    })
}

/// The schemas every operation shares (capability schemas join them in `document`).
fn shared_schemas() -> Map<String, Value> {
    let meta = json!({ "type": "object", "required": ["requestId", "timestamp"], "properties": {
        "requestId": { "type": "string" }, "timestamp": { "type": "string", "format": "date-time" } } });
    let error = json!({ "type": "object", "required": ["success", "error", "meta"], "properties": {
        "success": { "const": false },
        "error": { "type": "object", "required": ["code", "message"], "properties": {
            "code": { "type": "string", "description": "DOMAIN_REASON" }, "message": { "type": "string" } } },
        "meta": schema_ref("Meta") } });
    let failure = json!({ "type": "object", "properties": {
        "code": { "type": "string" }, "message": { "type": "string" }, "retryable": { "type": "boolean" } } });
    let seed_error = json!({ "type": "object", "required": ["message", "error_code", "data"], "properties": {
        "message": { "type": "string" }, "error_code": { "type": "integer" }, "data": { "type": "null" },
        "reason": { "type": "string", "description": "Capsule's addition: what went wrong and what to do" } } });
    [("Meta", meta), ("Error", error), ("Failure", failure), ("SeedError", seed_error)]
        .into_iter()
        .map(|(name, schema)| (name.to_string(), schema))
        .collect()
}
