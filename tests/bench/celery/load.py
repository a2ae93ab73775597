"""Drive Celery like wrk drives Capsule: THREADS submitters call
`apply_async` back to back for SECONDS, each submit timed; then every result
is awaited. Prints one JSON line: jobs, jobs/s end to end (first submit to
last result), submit p50/p99 in ms, and failures.

    python load.py noop|parse SECONDS THREADS
"""
import json
import sys
import threading
import time

from celery.result import ResultSet

import tasks

PAYLOADS = {
    "noop": lambda i: ((i,), {}),
    "parse": lambda i: (("서류 마감 9월 15일", "2026-09-01"), {}),
}


def main():
    name, seconds, threads = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    task = tasks.app.tasks[name]
    payload = PAYLOADS[name]
    # Prove the task works before timing it.
    task.apply_async(*payload(0)).get(timeout=30)
    latencies, results, lock = [], [], threading.Lock()
    start = time.perf_counter()
    stop_at = start + seconds

    def submitter(k):
        mine, mine_lat, i = [], [], k * 10_000_000
        while time.perf_counter() < stop_at:
            i += 1
            t = time.perf_counter()
            args, kwargs = payload(i)
            mine.append(task.apply_async(args, kwargs))
            mine_lat.append(time.perf_counter() - t)
        with lock:
            results.extend(mine)
            latencies.extend(mine_lat)

    workers = [threading.Thread(target=submitter, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    submitted = time.perf_counter() - start
    outcomes = ResultSet(results).join(timeout=600, propagate=False)
    elapsed = time.perf_counter() - start
    failed = sum(1 for r in results if r.state != "SUCCESS")
    latencies.sort()
    pct = lambda p: latencies[round((len(latencies) - 1) * p)] * 1e3
    print(json.dumps({
        "jobs": len(results), "failed": failed, "outcomes": len(outcomes),
        "submitted_s": round(submitted, 2), "elapsed_s": round(elapsed, 2),
        "jobs_per_s": round(len(results) / elapsed, 1),
        "submit_p50_ms": round(pct(0.5), 3), "submit_p99_ms": round(pct(0.99), 3),
    }))


if __name__ == "__main__":
    main()
