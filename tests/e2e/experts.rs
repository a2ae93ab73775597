//! Seed 000 §3: the expert registry (imported by operators) and matching.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{Host, Manifest, workspace};

/// Seed 000's matching component as spin.toml grants it.
fn seed_000_experts() -> Manifest {
    Manifest::new().job("expert-match", &[("timeout", "\"120s\"")]).engine("expert-match", "embeddings")
}

fn example_registry() -> String {
    workspace().join("examples/experts.json").to_string_lossy().into_owned()
}

const REPORT: &str = "본 사업은 인공지능 기반 헬스케어 플랫폼을 개발한다. 병원의 의료 데이터를 분석하여 \
    만성질환 환자의 건강 상태를 예측하고, 디지털 헬스케어 서비스를 제공한다. 인공지능 모델은 \
    의료 데이터 분석과 원격 진료에 활용된다.";

#[tokio::test]
async fn imported_experts_are_listed_and_found_by_name_with_the_seeds_404() {
    let host = Host::start(&seed_000_experts(), &[]).await;
    let printed = host.console("experts", &["import", &example_registry()]);
    assert!(printed.contains("20 added"), "{printed}");

    let (status, _, list) = host.get("/api/expert/list").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total_count"], 20, "{list}");
    let first = &list["experts"][0];
    assert_eq!(first["id"], 1, "{list}");
    let name = first["name"].as_str().unwrap();
    let (status, _, one) = host.get(&format!("/api/expert/{name}")).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(&one, first);

    let (status, _, missing) = host.get("/api/expert/홍길동").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    assert_eq!(missing["detail"], "전문가 '홍길동'을(를) 찾을 수 없습니다.", "{missing}");
    let (_, _, health) = host.get("/health").await;
    assert_eq!(health["total_experts"], 20, "{health}");
}

#[tokio::test]
async fn a_second_import_keeps_ids_by_name_and_replace_drops_the_rest() {
    let host = Host::start(&seed_000_experts(), &["--admin-token", "admin-secret"]).await;
    let import = |body: Value, replace: bool| {
        let request = host
            .client()
            .post(host.url(&format!("/api/v1/experts?replace={replace}")))
            .bearer_auth("admin-secret")
            .json(&body);
        host.send(request)
    };
    let (status, _, body) = import(json!([{"name": "가"}, {"name": "나", "field": ["AI"]}]), false).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"], json!({"added": 2, "updated": 0, "removed": 0, "total": 2}));
    let (_, _, body) = import(json!({"experts": [{"name": "나", "field": ["헬스케어"]}, {"name": "다"}]}), true).await;
    assert_eq!(body["data"], json!({"added": 1, "updated": 1, "removed": 1, "total": 2}), "{body}");
    let (_, _, list) = host.get("/api/expert/list").await;
    let ids: Vec<(&str, u64)> = list["experts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), e["id"].as_u64().unwrap()))
        .collect();
    assert_eq!(ids, [("나", 2), ("다", 3)], "{list}");
    assert_eq!(list["experts"][0]["field"], json!(["헬스케어"]));

    let csv = "name,career,field,career_file_name,is_visible\n라,연구원;교수,바이오,라.pdf,false\n";
    let request = host
        .client()
        .post(host.url("/api/v1/experts"))
        .bearer_auth("admin-secret")
        .header("content-type", "text/csv")
        .body(csv);
    let (status, _, body) = host.send(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, _, one) = host.get("/api/expert/라").await;
    assert_eq!(one["career"], json!(["연구원", "교수"]), "{one}");
    assert_eq!(one["is_visible"], false, "{one}");

    let (status, _, body) = import(json!([{"name": "마", "fields": []}]), false).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("fields"), "{body}");
    let anonymous = host.client().post(host.url("/api/v1/experts")).json(&json!([]));
    assert_eq!(host.send(anonymous).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn matching_the_example_registry_ranks_by_matched_keywords_and_explains_each() {
    let host = Host::start(&seed_000_experts(), &[]).await;
    host.console("experts", &["import", &example_registry()]);
    let ask = json!({"business_report": REPORT, "num_keywords": 5, "top_k": 3, "similarity_threshold": 0.8});
    let (status, _, ranking) = host.post_json("/api/expert/match", &ask).await;
    assert_eq!(status, StatusCode::OK, "{ranking}");
    assert_eq!(ranking["matching_method"], "semantic_count", "{ranking}");
    assert_eq!(ranking["keywords"].as_array().unwrap().len(), 5, "{ranking}");
    assert_eq!(ranking["total_experts_evaluated"], 19, "one example expert is not visible: {ranking}");
    let top = ranking["final_ranking"].as_array().unwrap();
    assert!(!top.is_empty() && top.len() <= 3, "{ranking}");
    let counts: Vec<u64> = top.iter().map(|e| e["매칭_개수"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "ranked by matches: {ranking}");
    for expert in top {
        let details = expert["매칭_상세"].as_array().unwrap();
        assert_eq!(details.len() as u64, expert["매칭_개수"].as_u64().unwrap(), "{expert}");
        let items: Vec<&Value> =
            expert["분야"].as_array().unwrap().iter().chain(expert["경력"].as_array().unwrap()).collect();
        for pair in details {
            assert!(pair["similarity"].as_f64().unwrap() >= 0.8, "{pair}");
            assert!(ranking["keywords"].as_array().unwrap().contains(&pair["keyword"]), "{pair}");
            assert!(items.contains(&&pair["matched_item"]), "{pair}");
        }
    }
    // The same question gets the same answer.
    let (_, _, again) = host.post_json("/api/expert/match", &ask).await;
    assert_eq!(again["final_ranking"], ranking["final_ranking"]);
}

#[tokio::test]
async fn a_match_parameter_out_of_range_is_fastapis_422_naming_it() {
    let host = Host::start(&seed_000_experts(), &[]).await;
    let (status, _, body) = host.post_json("/api/expert/match", &json!({"business_report": REPORT, "top_k": 51})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "top_k"]), "{body}");
    let (status, _, body) = host.post_json("/api/expert/match", &json!({"num_keywords": 3})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}
