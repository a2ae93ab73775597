"""Celery 5 + Redis side of tests/bench/http-vs-celery.sh.

`noop` is the no-op job. `parse` does what the calendar component does for
a one-line posting, in Python: find the hiring stage and the date (and time)
written after it, resolved against a reference date. Its patterns are
compiled once per worker process at import, as the calendar component's are
compiled once per version by its warm-up, so neither side pays that per job.
"""
import datetime as dt
import os
import re

from celery import Celery

REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
app = Celery("bench", broker=REDIS, backend=REDIS)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    worker_prefetch_multiplier=16,
    task_acks_late=False,
    broker_connection_retry_on_startup=True,
)

STAGES = [
    ("서류 마감", r"서류\s*(?:접수\s*)?마감|접수\s*마감|지원\s*마감|마감|deadline"),
    ("서류 발표", r"서류\s*(?:전형\s*)?(?:합격자\s*)?발표"),
    ("코딩테스트", r"코딩\s*테스트|코테|coding\s*test"),
    ("인적성", r"인적성|적성\s*검사"),
    ("1차 면접", r"1\s*차\s*면접|실무\s*면접"),
    ("2차 면접", r"2\s*차\s*면접|임원\s*면접"),
    ("최종 면접", r"최종\s*면접|final\s*interview"),
    ("최종 발표", r"최종\s*(?:합격자\s*)?발표"),
]
STAGE_RES = [(name, re.compile(pattern, re.I)) for name, pattern in STAGES]
KO_DATE = re.compile(r"(?:(\d{4}|\d{2})\s*년\s*)?(\d{1,2})\s*월\s*(\d{1,2})\s*일")
ISO_DATE = re.compile(r"(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})")
SLASH_MD = re.compile(r"(\d{1,2})/(\d{1,2})")
KO_TIME = re.compile(r"(?:(오전|오후|낮|밤|저녁|새벽|아침)\s*)?(\d{1,2})\s*시(?:\s*(\d{1,2})\s*분|\s*(반))?")
CLOCK = re.compile(r"(?:(오전|오후)\s*)?(\d{1,2}):(\d{2})(?:\s*(am|pm))?", re.I)


def _date(text, reference):
    for pattern in (ISO_DATE, KO_DATE):
        m = pattern.search(text)
        if m:
            year = m.group(1)
            year = int(year) + (2000 if year and len(year) == 2 else 0) if year else None
            month, day = int(m.group(2)), int(m.group(3))
            try:
                d = dt.date(year or reference.year, month, day)
            except ValueError:
                return None, m
            if year is None and d < reference:
                d = d.replace(year=d.year + 1)
            return d, m
    m = SLASH_MD.search(text)
    if m:
        try:
            d = dt.date(reference.year, int(m.group(1)), int(m.group(2)))
        except ValueError:
            return None, m
        return (d if d >= reference else d.replace(year=d.year + 1)), m
    return None, None


def _time(text):
    m = CLOCK.search(text)
    if m:
        hour, minute = int(m.group(2)), int(m.group(3))
        pm = (m.group(1) == "오후") or (m.group(4) or "").lower() == "pm"
        return f"{hour % 12 + 12 if pm else hour:02d}:{minute:02d}"
    m = KO_TIME.search(text)
    if m:
        hour = int(m.group(2))
        minute = 30 if m.group(4) else int(m.group(3) or 0)
        if m.group(1) in ("오후", "밤", "저녁") and hour < 12:
            hour += 12
        return f"{hour:02d}:{minute:02d}"
    return None


@app.task(name="noop")
def noop(n):
    return n


@app.task(name="parse")
def parse(text, reference_date):
    reference = dt.date.fromisoformat(reference_date)
    schedules = []
    for line in text.splitlines():
        for name, pattern in STAGE_RES:
            m = pattern.search(line)
            if not m:
                continue
            rest = line[m.end():] if _date(line[m.end():], reference)[0] else line
            date, _ = _date(rest, reference)
            if date:
                schedules.append({"stage": name, "date": date.isoformat(), "time": _time(rest)})
            break
    if not schedules:
        raise ValueError("no hiring schedule was found")
    return {"schedules": schedules}
