//! What every [`VectorIndex`] must do, run against each implementation
//! (River's `riverdrivertest` shape): one function per behaviour, all called
//! by [`run`].

use serde_json::{Map, Value, json};

use super::{CollectionKey, Point, VectorError, VectorIndex};

fn key(owner: &str, name: &str) -> CollectionKey {
    CollectionKey { owner: owner.into(), name: name.into() }
}

fn point(id: &str, vector: &[f32], metadata: Value) -> Point {
    let metadata = metadata.as_object().cloned().unwrap_or_default();
    Point { id: id.into(), vector: vector.to_vec(), metadata, text: format!("text of {id}") }
}

/// Points in a collection, through the trait's own search.
async fn count(index: &dyn VectorIndex, key: &CollectionKey, dim: usize) -> usize {
    let mut probe = vec![0.0; dim];
    probe[0] = 1.0;
    index.search(key, probe, 100, Map::new()).await.unwrap().len()
}

fn filter(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

pub async fn run(index: &dyn VectorIndex) {
    search_ranks_by_cosine_similarity(index).await;
    upserting_an_id_replaces_it(index).await;
    a_filter_keeps_only_equal_metadata(index).await;
    deleting_by_id_and_by_filter_counts_what_was_removed(index).await;
    owners_never_see_each_others_points(index).await;
    a_vector_of_another_dimension_is_refused(index).await;
    an_unknown_collection_is_empty(index).await;
    top_k_bounds_the_hits_and_ties_break_by_id(index).await;
}

async fn search_ranks_by_cosine_similarity(index: &dyn VectorIndex) {
    let k = key("", "rank");
    let points = vec![
        point("east", &[1.0, 0.0], json!({})),
        point("north", &[0.0, 2.0], json!({})),
        point("north-east", &[3.0, 3.0], json!({})),
    ];
    index.upsert(&k, points).await.unwrap();
    let hits = index.search(&k, vec![0.0, 5.0], 3, Map::new()).await.unwrap();
    let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["north", "north-east", "east"]);
    assert!((hits[0].score - 1.0).abs() < 1e-5 && (hits[1].score - 0.70710677).abs() < 1e-4, "{hits:?}");
    assert_eq!(hits[0].text, "text of north");
}

async fn upserting_an_id_replaces_it(index: &dyn VectorIndex) {
    let k = key("", "replace");
    index.upsert(&k, vec![point("a", &[1.0, 0.0], json!({"v": 1}))]).await.unwrap();
    index.upsert(&k, vec![point("a", &[0.0, 1.0], json!({"v": 2}))]).await.unwrap();
    assert_eq!(count(index, &k, 2).await, 1);
    let hits = index.search(&k, vec![0.0, 1.0], 5, Map::new()).await.unwrap();
    assert_eq!(hits[0].metadata["v"], 2);
    assert!((hits[0].score - 1.0).abs() < 1e-5);
}

async fn a_filter_keeps_only_equal_metadata(index: &dyn VectorIndex) {
    let k = key("", "filter");
    let points = vec![
        point("r1", &[1.0, 0.0], json!({"user_id": "u1", "type": "resume"})),
        point("r2", &[1.0, 0.1], json!({"user_id": "u2", "type": "resume"})),
        point("p1", &[1.0, 0.2], json!({"user_id": "u1", "type": "posting"})),
    ];
    index.upsert(&k, points).await.unwrap();
    let hits = index.search(&k, vec![1.0, 0.0], 10, filter(json!({"user_id": "u1"}))).await.unwrap();
    let mut ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["p1", "r1"]);
    let hits = index.search(&k, vec![1.0, 0.0], 10, filter(json!({"user_id": "u1", "type": "resume"}))).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert!(index.search(&k, vec![1.0, 0.0], 10, filter(json!({"user_id": 1}))).await.unwrap().is_empty());
}

async fn deleting_by_id_and_by_filter_counts_what_was_removed(index: &dyn VectorIndex) {
    let k = key("", "delete");
    let points = (0..5).map(|i| point(&format!("d{i}"), &[1.0, i as f32], json!({"doc": i % 2}))).collect();
    index.upsert(&k, points).await.unwrap();
    assert_eq!(index.delete(&k, vec!["d0".into(), "missing".into()]).await.unwrap(), 1);
    assert_eq!(index.delete_where(&k, filter(json!({"doc": 1}))).await.unwrap(), 2);
    let hits = index.search(&k, vec![1.0, 0.0], 10, Map::new()).await.unwrap();
    let mut ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["d2", "d4"]);
}

async fn owners_never_see_each_others_points(index: &dyn VectorIndex) {
    let (a, b) = (key("tenant:a", "shared-name"), key("tenant:b", "shared-name"));
    index.upsert(&a, vec![point("secret", &[1.0, 0.0], json!({}))]).await.unwrap();
    assert!(index.search(&b, vec![1.0, 0.0], 10, Map::new()).await.unwrap().is_empty());
    assert_eq!(index.delete(&b, vec!["secret".into()]).await.unwrap(), 0);
    assert_eq!(count(index, &a, 2).await, 1);
}

async fn a_vector_of_another_dimension_is_refused(index: &dyn VectorIndex) {
    let k = key("", "dims");
    index.upsert(&k, vec![point("a", &[1.0, 0.0, 0.0], json!({}))]).await.unwrap();
    let e = index.upsert(&k, vec![point("b", &[1.0, 0.0], json!({}))]).await.unwrap_err();
    assert!(matches!(e, VectorError::Dimension { expected: 3, got: 2, .. }), "{e}");
    let e = index.search(&k, vec![1.0], 1, Map::new()).await.unwrap_err();
    assert!(matches!(e, VectorError::Dimension { expected: 3, got: 1, .. }), "{e}");
    let e = index.upsert(&k, vec![point("c", &[f32::NAN, 0.0, 0.0], json!({}))]).await.unwrap_err();
    assert!(matches!(e, VectorError::Invalid(_)), "{e}");
    assert_eq!(count(index, &k, 3).await, 1);
}

async fn an_unknown_collection_is_empty(index: &dyn VectorIndex) {
    let k = key("", "never-written");
    assert!(index.search(&k, vec![1.0, 0.0], 3, Map::new()).await.unwrap().is_empty());
    assert_eq!(count(index, &k, 2).await, 0);
}

async fn top_k_bounds_the_hits_and_ties_break_by_id(index: &dyn VectorIndex) {
    let k = key("", "ties");
    let points = ["c", "a", "b", "d"].iter().map(|id| point(id, &[1.0, 1.0], json!({}))).collect();
    index.upsert(&k, points).await.unwrap();
    let hits = index.search(&k, vec![1.0, 1.0], 2, Map::new()).await.unwrap();
    let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
}
