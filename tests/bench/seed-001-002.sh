#!/usr/bin/env bash
# Latency of seed 001's synchronous routes and time to the first and the
# last Server-Sent Event of its streamed ones, plus seed 002's create and
# cache hit, through one running host with no language model mapped (the
# rule-based methods; embeddings by the bundled e5) (docs/benchmarks.md).
# Every round's texts differ, so the embeddings engine's cache of recent
# texts answers none of them.
# usage: tests/bench/seed-001-002.sh [ROUNDS]   (after `cargo build --release` and the guests in target/guest)
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/lib.sh
rounds=${1:-20}
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
sed -e "s#target/guest#$PWD/target/guest#g" spin.toml > "$dir/spin.toml"
serve target/release/capsule "$dir"
python3 - "$base" "$rounds" <<'PY'
import json, statistics, sys, time, urllib.request

base, rounds = sys.argv[1], int(sys.argv[2])
RESUME = "홍길동 프론트엔드 개발자 3년. 리액트, 타입스크립트로 결제 페이지 개발, 전환율 15% 개선. 프로젝트: 관리자 대시보드 (React, Redux, Jest)."
POSTING = "[카카오] 프론트엔드 개발자\n자격요건\n- React, TypeScript 3년 이상\n- Next.js\n우대사항\n- GraphQL\n- AWS\n서류 마감: 2026년 1월 15일"

def post(path, body, accept="application/json"):
    req = urllib.request.Request(base + path, json.dumps(body).encode(), {"content-type": "application/json", "accept": accept})
    return urllib.request.urlopen(req, timeout=120)

def timed(path, body):
    t = time.perf_counter()
    with post(path, body) as r:
        r.read()
        assert r.status == 200, (path, r.status)
    return (time.perf_counter() - t) * 1000

def first_and_last_event(path, body):
    t = time.perf_counter()
    first = None
    with post(path, body, accept="text/event-stream") as r:
        for line in r:
            if line.startswith(b"event:") and first is None:
                first = (time.perf_counter() - t) * 1000
    return first, (time.perf_counter() - t) * 1000

def report(name, samples):
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"| {name} | {len(samples)} | {p50:.1f} | {p95:.1f} |")

print("| route | n | p50 ms | p95 ms |\n|---|---|---|---|")
report("POST /ai/file/embed", [timed("/ai/file/embed", {"type": "resume", "id": f"r{i}", "user_id": "u1", "text": f"{RESUME} 사내 세미나 {i}회 발표."}) for i in range(rounds)])
report("POST /ai/calendar/parse", [timed("/ai/calendar/parse", {"text": POSTING, "reference_date": "2026-01-02"}) for _ in range(rounds)])
asked, saved = [], []
for i in range(rounds):
    session = f"bench-{i}"
    t = time.perf_counter()
    with post("/ai/interview/question", {"room_id": "r", "session_id": session, "interview_type": "technical", "resume_text": RESUME, "posting_text": POSTING}) as r:
        q = json.load(r)["data"]
    asked.append((time.perf_counter() - t) * 1000)
    saved.append(timed("/ai/interview/save", {"room_id": "r", "session_id": session, "question_id": q["question_id"], "question": q["question"], "answer": "리액트로 결제 페이지를 만들어 전환율을 15% 올렸습니다.", "is_followup": q["is_followup"], "question_number": q["question_number"]}))
report("POST /ai/interview/question", asked)
report("POST /ai/interview/save", saved)
for path, body in [
    ("/ai/analyze", lambda i: {"resume_id": "r", "posting_id": f"p{i}", "resume_text": f"{RESUME} 사내 세미나 {i}회 발표.", "posting_text": f"{POSTING}\n- 기술 블로그 운영 {i}년"}),
    ("/ai/interview/report", lambda i: {"room_id": "r", "session_id": f"bench-{i}", "interview_type": "technical", "resume_text": RESUME, "posting_text": POSTING, "ended_by": "manual"}),
    ("/ai/chat", lambda i: {"room_id": f"room{i}", "user_id": "u1", "message": "다음 주 면접 언제야?", "reference_date": "2026-01-05"}),
]:
    firsts, lasts = zip(*(first_and_last_event(path, body(i)) for i in range(rounds)))
    report(f"POST {path}: first SSE event", firsts)
    report(f"POST {path}: final event", lasts)
comments = [f"뇌과학 설명 덕분에 가족 대화를 다시 생각했어요 {i}" for i in range(50)]
created, hits = [], []
for i in range(rounds):
    body = {"videoId": f"bench-{i}", "comments": comments}
    created.append(timed("/api/analysis/jobs", body))
    with post("/api/analysis/jobs", body) as r:
        job = json.load(r)["data"]["jobId"]
    while True:
        with urllib.request.urlopen(f"{base}/api/analysis/jobs/{job}") as r:
            if json.load(r)["data"]["status"] in ("completed", "failed"):
                break
        time.sleep(0.05)
    hits.append(timed("/api/analysis/jobs", body))
report("POST /api/analysis/jobs (queued)", created)
report("POST /api/analysis/jobs (cache hit)", hits)
PY
