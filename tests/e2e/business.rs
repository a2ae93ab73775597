//! Seed 000 (business-plan diagnosis, regeneration, Celery job routes),
//! route for route as its frontend guide calls them.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, SECS_60};
use crate::openai_double::{Double, Reply};

const STRONG: &str = "본 사업은 AI 기반 피부암 조기진단 솔루션입니다. 핵심 알고리즘에 대해 특허 2건을 출원하였고 1건이 등록되었습니다. \
    현재 TRL 6 단계로 3개 대학병원에서 시제품 실증을 완료했습니다. 국내 디지털 헬스케어 시장 규모는 2025년 5조 원이며 연평균 12% 성장하고 있습니다. \
    대표는 의료 AI 분야 박사이며 연구원 5명이 참여하고, 총 사업비는 8억 원입니다.";
const VAGUE: &str = "우리 기술은 매우 우수합니다. 앞으로 많은 성과를 낼 것입니다. 열심히 하겠습니다.";

fn seed_000(settings: &[(&str, &str)]) -> Manifest {
    Manifest::new()
        .job("diagnosis", settings)
        .engine("diagnosis", "llm")
        .engine("diagnosis", "embeddings")
        .ai_model("diagnosis", "default")
        .regeneration_job(settings)
        .job("slow", &[("concurrency", "1")])
        .job("flaky", &[("max_attempts", "3")])
}

async fn diagnose(host: &Host, contents: &str) -> Value {
    let (status, _, body) = host.post_json("/api/diagnosis/", &json!({"input": [{"contents": contents}]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn item<'a>(diagnosis: &'a Value, title_part: &str) -> &'a Value {
    diagnosis["categories"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["items"].as_array().unwrap())
        .find(|i| i["title"].as_str().unwrap().contains(title_part))
        .unwrap_or_else(|| panic!("no item about {title_part}: {diagnosis}"))
}

pub(crate) async fn celery_status(host: &Host, id: &str) -> Value {
    let (status, _, body) = host.get(&format!("/api/jobs/status/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

pub(crate) async fn wait_celery(host: &Host, id: &str, wanted: &str) -> Value {
    let deadline = std::time::Instant::now() + SECS_60;
    loop {
        let body = celery_status(host, id).await;
        if body["status"] == wanted {
            return body;
        }
        assert!(std::time::Instant::now() < deadline, "never reached {wanted}: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_root_lists_the_seed_000_routes_this_host_serves() {
    let host = Host::start(&seed_000(&[]), &[]).await;
    let (status, _, body) = host.get("/").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["message"], "사업계획서 생성 및 전문가 매칭 API 서버");
    assert!(body["api_structure"]["diagnosis"]["POST /api/diagnosis/"].is_string(), "{body}");
    assert!(body["model"].as_str().unwrap().starts_with("none"), "{body}");
    assert_eq!(body["documentation"], "/docs");
}

#[tokio::test]
async fn health_answers_seed_000_beside_the_native_envelope() {
    let host = Host::start(&seed_000(&[]), &[]).await;
    let (status, _, body) = host.get("/health").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "healthy");
    assert_eq!(body["openai_api_key_configured"], false);
    assert_eq!(body["supabase_configured"], true);
    assert_eq!(body["total_experts"], 0);
    assert_eq!(body["success"], true);
    assert_eq!(body["data"]["engines"]["embeddings"]["available"], true, "{body}");
    assert!(
        body["data"]["engines"]["llm"]["codes"].as_array().unwrap().iter().any(|c| c["code"] == "LLM_NOT_CONFIGURED")
    );
}

#[tokio::test]
async fn a_diagnosis_answers_the_seed_shape_with_evidence_and_the_method_that_ran() {
    let host = Host::start(&seed_000(&[]), &[]).await;
    let body = diagnose(&host, STRONG).await;
    assert_eq!(body["method"], "rubric-embedding", "{body}");
    let categories = body["categories"].as_array().unwrap();
    let names: Vec<&str> = categories.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["기술성", "사업성", "공공성·정책 부합성", "성과·기대효과", "추진체계 및 역량"]);
    for c in categories {
        let items = c["items"].as_array().unwrap();
        assert_eq!(items.len(), 6, "{c}");
        for i in items {
            assert!(i["id"].is_u64() && i["title"].is_string() && i["evidence"].is_array(), "{i}");
            assert!(i["score"].as_u64().unwrap() <= 100, "{i}");
        }
    }
    assert!(body["score_average"].is_number(), "{body}");
    // The slash-less path answers the same (FastAPI would redirect).
    let (status, _, again) = host.post_json("/api/diagnosis", &json!({"input": [{"contents": STRONG}]})).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again, body, "the same plan scored differently");
}

#[tokio::test]
async fn a_plan_that_states_evidence_scores_higher_than_a_vague_one() {
    let host = Host::start(&seed_000(&[]), &[]).await;
    let strong = diagnose(&host, STRONG).await;
    let vague = diagnose(&host, VAGUE).await;
    for topic in ["TRL", "시장 규모"] {
        let (s, v) = (item(&strong, topic)["score"].as_u64().unwrap(), item(&vague, topic)["score"].as_u64().unwrap());
        assert!(s > v, "{topic}: strong {s} ≤ vague {v}");
    }
    assert!(strong["score_average"].as_f64() > vague["score_average"].as_f64());
}

#[tokio::test]
async fn the_criteria_have_the_seed_shape() {
    let host = Host::start(&seed_000(&[]), &[]).await;
    let (status, _, body) = host.get("/api/diagnosis/criteria").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["total_categories"].as_u64(), body["total_items"].as_u64()), (Some(5), Some(30)));
    assert_eq!(body["criteria"][0]["카테고리"], "기술성");
    assert_eq!(body["criteria"][0]["평가항목"][0], json!({"id": 1, "내용": "핵심 기술의 독창성 및 차별성"}));
}

#[tokio::test]
async fn a_diagnosis_without_text_is_fastapis_422_naming_the_field() {
    let host = Host::start(&seed_000(&[]), &[]).await;
    let (status, _, body) = host.post_json("/api/diagnosis/", &json!({"input": [{"contents": "  "}]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "input"]), "{body}");
    let (status, _, body) = host.post_json("/api/diagnosis/", &json!({"evaluation": []})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["detail"][0]["msg"].as_str().unwrap().contains("input"), "{body}");
}

#[tokio::test]
async fn with_a_model_for_default_the_diagnosis_is_scored_by_it() {
    let items: Vec<Value> = (1..=5u32)
        .flat_map(|c| ((c - 1) * 6 + 1..=c * 6).map(move |i| json!({"id": c * 1000 + i, "score": 70, "evidence": []})))
        .collect();
    let answer: &'static str = Box::leak(json!({"items": items}).to_string().into_boxed_str());
    let (double, url) = Double::start(vec![Reply::Answer(answer)]).await;
    let llm = format!("default=openai:gpt-test@{url}");
    let host = Host::start(&seed_000(&[]), &["--llm", &llm]).await;
    let body = diagnose(&host, STRONG).await;
    assert_eq!(body["method"], "llm", "{body}");
    assert_eq!(body["score_average"], 70.0);
    assert_eq!(double.requests()[0]["response_format"]["type"], "json_schema");
    let (_, _, health) = host.get("/health").await;
    assert_eq!(health["openai_api_key_configured"], true);
}

#[tokio::test]
async fn a_concise_rewrite_runs_as_a_task_that_ends_in_success_near_80_percent_length() {
    let host = Host::start(&seed_000(&[]), &[]).await;
    let contents = "본 과제는 중소 제조기업의 설비 고장을 사전에 예측하는 AI 솔루션을 개발하는 것을 목표로 합니다. \
        현재 국내 중소 제조기업의 약 70%가 설비 고장으로 인한 생산 손실을 경험하고 있습니다. \
        당사는 진동 센서 데이터와 운전 이력을 결합한 예측 모델을 보유하고 있습니다. \
        이 모델은 3개 협력사의 실제 설비에서 6개월간 검증되었습니다. \
        검증 결과 고장 예측 정확도는 92%에 달했습니다. \
        또한 설비 가동률이 평균 8% 향상되었습니다. \
        향후 2년간 50개 기업에 솔루션을 공급하는 것이 목표입니다.";
    let (status, _, body) =
        host.post_json("/api/reports/regenerate", &json!({"classification": "간결하게", "contents": contents})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["success"], true);
    let task_id = body["task_id"].as_str().expect("task_id").to_string();
    assert_eq!(body["message"], format!("regeneration started (task_id: {task_id})"));
    let done = wait_celery(&host, &task_id, "SUCCESS").await;
    let result = &done["result"];
    assert_eq!(result["result"], "success", "{done}");
    assert_eq!(result["method"], "extractive-textrank", "{done}");
    let ratio = result["length_ratio"].as_f64().unwrap();
    assert!((0.75..=0.85).contains(&ratio), "ratio {ratio}");
    assert!(result["elapsed_seconds"].is_number());
    assert_eq!(done["error"], Value::Null);
}

#[tokio::test]
async fn a_rewrite_that_needs_a_model_fails_as_celery_failure_naming_the_code() {
    let host = Host::start(&seed_000(&[("max_attempts", "1")]), &[]).await;
    let (_, _, body) = host
        .post_json("/api/reports/regenerate", &json!({"classification": "자세히", "contents": "짧은 문장입니다."}))
        .await;
    let task_id = body["task_id"].as_str().expect("task_id").to_string();
    let failed = wait_celery(&host, &task_id, "FAILURE").await;
    assert!(failed["error"].as_str().unwrap().starts_with("LLM_NOT_CONFIGURED"), "{failed}");
    let (status, _, body) = host.post_json("/api/reports/regenerate", &json!({"classification": "요약"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "classification"]));
    let (status, _, body) = host.post_json("/api/reports/regenerate", &json!({"classification": "특허"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "subject"]));
}

#[tokio::test]
async fn celery_states_follow_a_task_from_pending_through_progress_to_revoked() {
    let host = Host::start(&seed_000(&[]), &[]).await;
    let unknown = celery_status(&host, "job_does_not_exist").await;
    assert_eq!(
        unknown,
        json!({"task_id": "job_does_not_exist", "status": "PENDING", "result": null, "error": null, "meta": null})
    );
    let running = host.submit("slow", &json!({"steps": 400, "step_ms": 50})).await;
    let queued = host.submit("slow", &json!({"steps": 1, "step_ms": 0})).await;
    assert_eq!(celery_status(&host, &queued).await["status"], "PENDING");
    let progress = wait_celery(&host, &running, "PROGRESS").await;
    assert_eq!(progress["meta"]["total"], 100, "{progress}");
    assert!(progress["meta"]["status"].as_str().unwrap().starts_with("step "), "{progress}");
    let (_, _, list) = host.get("/api/jobs/list").await;
    assert_eq!(list["active"][0]["task_id"], running.as_str(), "{list}");
    assert_eq!(list["reserved"][0]["task_id"], queued.as_str(), "{list}");
    assert_eq!(list["active"][0]["kwargs"]["steps"], 400, "{list}");
    let (status, _, cancelled) = host.delete(&format!("/api/jobs/cancel/{running}")).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled, json!({"success": true, "message": "작업 취소 요청이 전송되었습니다.", "task_id": running}));
    wait_celery(&host, &running, "REVOKED").await;
    let done = wait_celery(&host, &queued, "SUCCESS").await;
    let (_, _, again) = host.delete(&format!("/api/jobs/cancel/{queued}")).await;
    assert_eq!(again["success"], false, "{again} after {done}");
}

#[tokio::test]
async fn a_failed_attempt_waiting_for_its_retry_reads_as_retry() {
    let host = Host::start(&seed_000(&[]), &["--retry-base", "3s"]).await;
    let id = host.submit("flaky", &json!({"succeed_on": 2})).await;
    let retry = wait_celery(&host, &id, "RETRY").await;
    assert!(retry["error"].as_str().is_some(), "{retry}");
    assert_eq!(retry["meta"]["attempt"], 1, "{retry}");
    let (_, _, list) = host.get("/api/jobs/list").await;
    assert_eq!(list["scheduled"][0]["task_id"], id.as_str(), "{list}");
    wait_celery(&host, &id, "SUCCESS").await;
}
