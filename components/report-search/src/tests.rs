//! The search against a fake host: a query vector of `[1, 0]` and stored chunks whose vectors
//! are chosen for their cosine with it, so every similarity is known.

use serde_json::{Value, json};

use super::*;
use capsule_sdk::language::{Embedded, Point};

#[derive(Default)]
struct FakeHost {
    points: Vec<Point>,
    no_embeddings: bool,
    no_vectors: bool,
    embedded: Vec<(String, EmbedRole)>,
    searches: Vec<(String, u32, Value)>,
}

impl JobContext for FakeHost {}

impl Embeddings for FakeHost {
    fn embed(&mut self, texts: &[&str], role: EmbedRole) -> Result<Embedded, Failure> {
        if self.no_embeddings {
            return Err(Failure::new("EMBEDDINGS_UNAVAILABLE", "no embedding model"));
        }
        self.embedded.extend(texts.iter().map(|t| (t.to_string(), role)));
        Ok(Embedded { vectors: vec![vec![1.0, 0.0]; texts.len()], model: "fake".into(), dimension: 2 })
    }
}

impl Vectors for FakeHost {
    fn search(&mut self, collection: &str, vector: &[f32], top_k: u32, filter: &Value) -> Result<Vec<Hit>, Failure> {
        if self.no_vectors {
            return Err(Failure::new("VECTORS_UNAVAILABLE", "no index"));
        }
        self.searches.push((collection.to_string(), top_k, filter.clone()));
        let filter = filter.as_object().expect("an object filter");
        let mut hits: Vec<Hit> = self
            .points
            .iter()
            .filter(|p| filter.iter().all(|(k, v)| p.metadata.get(k) == Some(v)))
            .map(|p| Hit {
                id: p.id.clone(),
                score: p.vector.iter().zip(vector).map(|(a, b)| a * b).sum(),
                metadata: p.metadata.clone(),
                text: p.text.clone(),
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        hits.truncate(top_k as usize);
        Ok(hits)
    }
}

/// A chunk of `file_name` whose cosine with the query is `score`.
fn chunk(file_name: &str, n: u32, category: Option<i64>, kind: &str, score: f32, text: &str) -> Point {
    Point {
        id: format!("{file_name}#{n}"),
        vector: vec![score, (1.0 - score * score).max(0.0).sqrt()],
        metadata: json!({
            "report_id": file_name.len(), "file_name": file_name, "embed_id": "e", "number": 100 + n,
            "title": format!("{file_name} 제목"), "field": "헬스케어", "keywords": "AI, 헬스케어",
            "category_number": category, "kind": kind, "page": n + 1, "chunk": n,
        }),
        text: text.to_string(),
    }
}

fn request(extra: Value) -> Input {
    let mut body = json!({"business_idea": "AI 기반 헬스케어 솔루션", "core_value": "개인 맞춤형 건강 관리", "category_number": 1});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    serde_json::from_value(body).expect("input fits the struct")
}

fn library() -> Vec<Point> {
    vec![
        chunk("a.pdf", 0, Some(1), "text", 0.70, "a의 본문"),
        chunk("a.pdf", 1, Some(1), "table", 0.90, "연도 | 매출"),
        chunk("b.pdf", 0, Some(2), "text", 0.99, "다른 분야"),
        chunk("c.pdf", 0, None, "image", 0.80, "분야 없는 보고서의 그림 글자"),
        chunk("d.pdf", 0, Some(1), "text", 0.60, "d의 본문"),
        chunk("d.pdf", 1, Some(1), "text", 0.50, "d의 둘째"),
    ]
}

#[test]
fn the_query_is_the_seeds_text_embedded_as_a_query() {
    let mut host = FakeHost::default();
    let output = handle(&request(json!({"business_idea": " AI 기반 헬스케어 솔루션 "})), &mut host).unwrap();
    assert_eq!(output.query, "사업아이디어: AI 기반 헬스케어 솔루션\n핵심가치제안: 개인 맞춤형 건강 관리");
    assert_eq!(host.embedded, vec![(output.query.clone(), EmbedRole::Query)]);
}

#[test]
fn chunks_are_grouped_by_report_scored_by_their_best_chunk() {
    let mut host = FakeHost { points: library(), ..FakeHost::default() };
    let output = handle(&request(json!({})), &mut host).unwrap();
    let found: Vec<(&str, f64)> = output.results.iter().map(|r| (r.file_name.as_str(), r.similarity)).collect();
    assert_eq!(found, vec![("a.pdf", 0.9), ("c.pdf", 0.8), ("d.pdf", 0.6)]);
    assert_eq!(output.total_found, 3);
    let a = &output.results[0];
    assert_eq!(
        a,
        &Report {
            id: Some(5),
            number: Some(101),
            title: Some("a.pdf 제목".into()),
            field: Some("헬스케어".into()),
            keywords: Some("AI, 헬스케어".into()),
            file_name: "a.pdf".into(),
            category_number: Some(1),
            similarity: 0.9,
            matched: Matched { kind: Some("table".into()), page: Some(2), text: "연도 | 매출".into() },
        }
    );
}

#[test]
fn only_the_category_asked_for_and_reports_without_one_are_found() {
    let mut host = FakeHost { points: library(), ..FakeHost::default() };
    let output = handle(&request(json!({"category_number": 2})), &mut host).unwrap();
    let found: Vec<(&str, Option<i64>)> =
        output.results.iter().map(|r| (r.file_name.as_str(), r.category_number)).collect();
    assert_eq!(found, vec![("b.pdf", Some(2)), ("c.pdf", None)]);
    assert_eq!(output.category_number, 2);
    let filters: Vec<&Value> = host.searches.iter().map(|(_, _, f)| f).collect();
    assert_eq!(filters, vec![&json!({"category_number": 2}), &json!({"category_number": null})]);
    // Unfiltered hits of another category (as an engine ignoring the filter would give) are dropped too.
    let hits = library()
        .into_iter()
        .map(|p| Hit { id: p.id, score: p.vector[0], metadata: p.metadata, text: p.text })
        .collect();
    let names: Vec<String> = group(hits, 5, 20).into_iter().map(|r| r.file_name).collect();
    assert_eq!(names, vec!["c.pdf"]);
}

#[test]
fn the_output_fits_the_output_schema() {
    let mut host = FakeHost { points: library(), ..FakeHost::default() };
    let output = handle(&request(json!({})), &mut host).unwrap();
    let document = serde_json::to_value(&output).unwrap();
    let validator = jsonschema::validator_for(&ReportSearch::descriptor().output_schema).expect("a valid schema");
    let errors: Vec<String> = validator.iter_errors(&document).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(document["results"][1]["category_number"], Value::Null);
}

#[test]
fn top_k_limits_the_reports_and_sizes_the_neighbours_asked_for() {
    let mut host = FakeHost { points: library(), ..FakeHost::default() };
    let output = handle(&request(json!({"top_k": 2})), &mut host).unwrap();
    assert_eq!(output.results.iter().map(|r| r.file_name.as_str()).collect::<Vec<_>>(), vec!["a.pdf", "c.pdf"]);
    assert_eq!(output.total_found, 2);
    assert!(host.searches.iter().all(|(collection, k, _)| collection == COLLECTION && *k == 40));
    let mut host = FakeHost::default();
    handle(&request(json!({"top_k": 20})), &mut host).unwrap();
    assert!(host.searches.iter().all(|(_, k, _)| *k == MAX_NEIGHBOURS));
    assert_eq!(request(json!({})).top_k, 5);
}

#[test]
fn an_empty_collection_finds_nothing() {
    let output = handle(&request(json!({})), &mut FakeHost::default()).unwrap();
    assert_eq!((output.success, output.total_found, output.results.len()), (true, 0, 0));
}

#[test]
fn similarity_has_four_decimals_and_the_match_shows_200_characters() {
    let long = "가".repeat(300);
    let mut host =
        FakeHost { points: vec![chunk("x.pdf", 0, Some(1), "text", 0.876_543, &long)], ..Default::default() };
    let output = handle(&request(json!({})), &mut host).unwrap();
    assert_eq!(output.results[0].similarity, 0.8765);
    assert_eq!(output.results[0].matched.text.chars().count(), MATCHED_CHARS);
    assert_eq!(round4(0.92), 0.92);
}

#[test]
fn without_embeddings_or_vectors_the_search_fails_with_the_engines_code() {
    let mut host = FakeHost { no_embeddings: true, ..FakeHost::default() };
    assert_eq!(handle(&request(json!({})), &mut host).unwrap_err().code, "EMBEDDINGS_UNAVAILABLE");
    let mut host = FakeHost { no_vectors: true, ..FakeHost::default() };
    assert_eq!(handle(&request(json!({})), &mut host).unwrap_err().code, "VECTORS_UNAVAILABLE");
}

#[test]
fn blank_texts_and_values_out_of_range_are_refused() {
    for extra in [
        json!({"business_idea": "  "}),
        json!({"core_value": ""}),
        json!({"category_number": 0}),
        json!({"category_number": 6}),
        json!({"top_k": 0}),
        json!({"top_k": 21}),
    ] {
        let failure = handle(&request(extra.clone()), &mut FakeHost::default()).unwrap_err();
        assert_eq!(failure.code, INVALID_REQUEST, "{extra}");
    }
    let schema = ReportSearch::descriptor().input_schema;
    assert_eq!(schema["required"], json!(["business_idea", "core_value", "category_number"]));
    assert_eq!(ReportSearch::descriptor().name, "report-search");
}
