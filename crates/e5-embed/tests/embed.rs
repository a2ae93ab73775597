//! Behaviour of the embedder against the real multilingual-e5-small model.

use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::Instant;

use e5_embed::{EmbedError, LoadError, MODEL_ID, Model, Role, default_model_path, set_threads};

/// Loaded once and shared: the tests also run concurrently on it, like a host would.
static MODEL: LazyLock<Model> = LazyLock::new(|| Model::load(&default_model_path()).expect("default model loads"));

fn one(text: &str, role: Role) -> Vec<f32> {
    MODEL.embed(&[text], role).expect("embeds").remove(0)
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("e5-embed-test-{}-{name}", std::process::id()))
}

#[test]
fn vectors_have_dim_384_and_unit_norm() {
    assert_eq!(MODEL.dim(), 384);
    let vectors =
        MODEL.embed(&["회의는 내일 오후 3시에 시작합니다", "The meeting starts tomorrow."], Role::Passage).unwrap();
    assert_eq!(vectors.len(), 2);
    for v in vectors {
        assert_eq!(v.len(), 384);
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
    }
}

#[test]
fn same_text_gives_identical_vectors() {
    let text = "서울의 날씨는 맑고 따뜻합니다";
    assert_eq!(one(text, Role::Query), one(text, Role::Query));
}

#[test]
fn batch_result_equals_single_text_result() {
    let texts =
        ["짧은 문장", "A somewhat longer English sentence about databases and indexes.", "", "세 번째 문장입니다"];
    let batch = MODEL.embed(&texts, Role::Passage).unwrap();
    for (text, from_batch) in texts.iter().zip(&batch) {
        let alone = one(text, Role::Passage);
        assert!(max_abs_diff(&alone, from_batch) < 1e-5, "{text:?} differs by {}", max_abs_diff(&alone, from_batch));
    }
}

#[test]
fn empty_batch_gives_no_vectors() {
    assert!(MODEL.embed(&[], Role::Query).unwrap().is_empty());
}

#[test]
fn korean_paraphrases_score_higher_than_unrelated_pairs() {
    let pairs = [
        ("회의는 내일 오후 3시에 시작합니다", "내일 오후 세 시에 회의가 열립니다"),
        ("이 약은 식후 30분에 복용하세요", "식사하고 삼십 분 뒤에 이 약을 드세요"),
        ("서울역으로 가는 버스는 어디서 타나요?", "서울역 가는 버스 정류장이 어디에 있나요?"),
        ("비밀번호를 잊어버려서 로그인을 할 수 없어요", "암호가 기억나지 않아 접속이 안 됩니다"),
        ("올해 매출이 작년보다 20% 증가했습니다", "금년 판매 실적이 전년 대비 20퍼센트 늘었습니다"),
    ];
    let unrelated = [
        "김치찌개를 끓일 때는 돼지고기를 먼저 볶으세요",
        "고양이가 창가에서 햇볕을 쬐며 졸고 있다",
        "축구 대표팀이 월드컵 예선에서 승리했다",
        "바닷가 모래사장에 조개껍데기가 많다",
    ];
    // Symmetric task: both sides as queries, as the E5 model card recommends.
    for (anchor, paraphrase) in pairs {
        let a = one(anchor, Role::Query);
        let same = cosine(&a, &one(paraphrase, Role::Query));
        let mut highest_unrelated = f32::MIN;
        for other in unrelated {
            let different = cosine(&a, &one(other, Role::Query));
            assert!(same > different, "{anchor:?}: paraphrase {same:.4} <= unrelated {other:?} {different:.4}");
            highest_unrelated = highest_unrelated.max(different);
        }
        // Shown with --nocapture; docs/benchmarks.md quotes them.
        println!("{anchor}: paraphrase {same:.3}, highest unrelated {highest_unrelated:.3}");
    }
}

#[test]
fn query_and_passage_roles_give_different_vectors() {
    let text = "회의는 내일 오후 3시에 시작합니다";
    let (q, p) = (one(text, Role::Query), one(text, Role::Passage));
    assert!(max_abs_diff(&q, &p) > 1e-3);
    assert!(MODEL.token_count(text, Role::Query) != MODEL.token_count(text, Role::Passage));
}

#[test]
fn empty_text_embeds_to_a_unit_vector() {
    let v = one("", Role::Query);
    assert_eq!(v.len(), 384);
    assert!((v.iter().map(|x| x * x).sum::<f32>().sqrt() - 1.0).abs() < 1e-4);
}

#[test]
fn interior_nul_is_removed_not_truncating() {
    assert_eq!(one("회의\0는 내일", Role::Passage), one("회의는 내일", Role::Passage));
    assert_eq!(MODEL.token_count("a\0b", Role::Passage), MODEL.token_count("ab", Role::Passage));
    // Only NULs: same as empty.
    assert_eq!(one("\0\0", Role::Passage), one("", Role::Passage));
}

#[test]
fn arabic_ligature_that_overflows_the_engine_buffer_is_handled() {
    // U+FDFA normalises to 18 code points; raw, 8+ of them overflow e5.c's tokenizer buffer.
    let ligatures = "ﷺ".repeat(40);
    let expanded = "صلى الله عليه وسلم".repeat(40);
    assert_eq!(one(&ligatures, Role::Passage), one(&expanded, Role::Passage));
    assert_eq!(MODEL.token_count(&ligatures, Role::Passage), MODEL.token_count(&expanded, Role::Passage));
}

#[test]
fn max_tokens_is_the_512_token_window() {
    assert_eq!(MODEL.max_tokens(), 512);
}

#[test]
fn text_longer_than_the_window_is_windowed_not_truncated() {
    let head = "회의는 내일 오후 3시에 시작합니다. ".repeat(60);
    assert!(MODEL.token_count(&head, Role::Passage) > MODEL.max_tokens());
    let tail_a = format!("{head} 고양이가 창가에서 햇볕을 쬐며 졸고 있다.");
    let tail_b = format!("{head} 축구 대표팀이 월드컵 예선에서 승리했다.");
    // Truncation would drop the tails and make the two vectors equal.
    assert!(max_abs_diff(&one(&tail_a, Role::Passage), &one(&tail_b, Role::Passage)) > 1e-4);
}

#[test]
fn text_over_the_size_limit_is_an_error_with_its_index() {
    let huge = "a".repeat((4 << 20) + 1);
    match MODEL.embed(&["fine", &huge], Role::Passage) {
        Err(EmbedError::TextTooLong { index: 1, .. }) => {}
        other => panic!("expected TextTooLong for index 1, got {other:?}"),
    }
    assert!(MODEL.token_count(&huge, Role::Passage) >= huge.len());
}

#[test]
fn token_count_includes_prefix_and_special_tokens() {
    // "passage: " alone is at least a couple of pieces, plus <s> and </s>.
    assert!(MODEL.token_count("", Role::Passage) >= 4);
    assert!(
        MODEL.token_count("회의는 내일 오후 3시에 시작합니다", Role::Passage) > MODEL.token_count("", Role::Passage)
    );
}

#[test]
fn missing_model_path_is_a_load_error_naming_the_path() {
    let path = temp_path("does-not-exist.bin");
    let err = Model::load(&path).unwrap_err();
    assert!(matches!(err, LoadError::NotFound { .. }), "{err:?}");
    assert!(err.to_string().contains(&path.display().to_string()), "{err}");
}

#[test]
fn non_model_and_truncated_files_are_rejected() {
    let garbage = temp_path("garbage.bin");
    std::fs::write(&garbage, b"definitely not a model").unwrap();
    let err = Model::load(&garbage).unwrap_err();
    assert!(matches!(err, LoadError::NotAModel { .. }), "{err:?}");

    // Right magic and header, cut short: the C loader alone would read past the end.
    let truncated = temp_path("truncated.bin");
    let head = std::fs::read(default_model_path()).unwrap()[..5 << 20].to_vec();
    std::fs::write(&truncated, head).unwrap();
    let err = Model::load(&truncated).unwrap_err();
    assert!(matches!(err, LoadError::NotAModel { .. }), "{err:?}");

    let dir = Model::load(&std::env::temp_dir()).unwrap_err();
    assert!(matches!(dir, LoadError::NotAModel { .. }), "{dir:?}");
    let _ = std::fs::remove_file(garbage);
    let _ = std::fs::remove_file(truncated);
}

#[test]
fn model_id_names_the_multilingual_q4_model() {
    assert_eq!(MODEL_ID, "multilingual-e5-small-q4");
    assert!(default_model_path().ends_with("e5-small-q4.bin"));
}

/// CPU time of the calling thread. With one OpenMP thread the engine runs entirely on the
/// caller, so this is the compute cost, unaffected by other load on the machine.
fn thread_cpu_time() -> std::time::Duration {
    #[repr(C)]
    struct Timespec {
        sec: i64,
        nsec: i64,
    }
    unsafe extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: valid clock id and out-pointer.
    unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    std::time::Duration::new(ts.sec as u64, ts.nsec as u32)
}

/// Not a behaviour check: prints latency/throughput. Run alone:
/// `cargo test --release -p e5-embed --test embed -- --ignored --nocapture --test-threads=1`
#[test]
#[ignore]
fn report_latency_and_throughput() {
    let texts: Vec<String> = (0..32)
        .map(|i| format!("{i}번 문서: 회의는 내일 오후 3시에 시작하며, 분기 매출 보고와 신규 채용 계획을 논의합니다."))
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let tokens: usize = refs.iter().map(|t| MODEL.token_count(t, Role::Passage)).sum();
    for threads in [1, 2] {
        set_threads(threads);
        MODEL.embed(&refs[..1], Role::Passage).unwrap(); // warm up
        let runs = 20;
        let (start, cpu) = (Instant::now(), thread_cpu_time());
        for _ in 0..runs {
            MODEL.embed(&refs[..1], Role::Passage).unwrap();
        }
        let (single, single_cpu) = (start.elapsed() / runs, (thread_cpu_time() - cpu) / runs);
        let (start, cpu) = (Instant::now(), thread_cpu_time());
        for _ in 0..3 {
            MODEL.embed(&refs, Role::Passage).unwrap();
        }
        let (batch, batch_cpu) = (start.elapsed() / 3, (thread_cpu_time() - cpu) / 3);
        println!(
            "threads={threads}: 1 text ({} tokens) {single:?} wall, {single_cpu:?} caller CPU; \
             32 texts ({tokens} tokens) {batch:?} wall = {:.0} texts/s, {batch_cpu:?} caller CPU",
            MODEL.token_count(refs[0], Role::Passage),
            32.0 / batch.as_secs_f64()
        );
    }
    // Two callers at once, 2 threads each (oversubscribed) vs the same work one after another.
    set_threads(2);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..3 {
                    MODEL.embed(&refs, Role::Passage).unwrap();
                }
            });
        }
    });
    let concurrent = start.elapsed();
    let start = Instant::now();
    for _ in 0..6 {
        MODEL.embed(&refs, Role::Passage).unwrap();
    }
    println!("6×32 texts: 2 concurrent callers {concurrent:?}, serial {:?}", start.elapsed());
}
