#!/usr/bin/env python3
"""Writes the Elastic Load Balancing partitioning inputs of tests/lake/run.sh into DIR: an ALB
access log (gzip, as ELB writes it) and a CLB access log (plain), whose records span several
hours, days and years in an order that mixes them, and DIR/expected.json, the number of records
each UTC hour and day holds, computed here from the times written (not by the parser).

    python3 tests/lake/make_elb.py DIR

Their times have microseconds (ELB logs them): the edges of an hour are the first and the last
microsecond (09:59:59.999999 belongs to hour 09). Every record has a unique trace id (ALB) or
URL (CLB). The ALB log also has ELB's `Enable AccessLog for ELB: …` control line, which is not a
record (it becomes a reject). Deterministic: the same files on every run.
"""

import gzip
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

UTC = timezone.utc


def times(rng, count):
    """Record times (UTC, microseconds): mostly across 2024-03-16 21:00 .. 2024-03-18 02:59,
    with the first and last microsecond of hours and days, and a few far-away years."""
    start = datetime(2024, 3, 16, 21, 0, tzinfo=UTC)
    out = [
        start,  # first instant of an hour
        start + timedelta(hours=3) - timedelta(microseconds=1),  # last microsecond of one
        datetime(2024, 3, 17, 0, 0, tzinfo=UTC),  # a day boundary
        datetime(2024, 3, 16, 23, 59, 59, 999_999, tzinfo=UTC),  # the day's last microsecond
        datetime(2016, 8, 10, 20, 17, 23, 45_167, tzinfo=UTC),
        datetime(2025, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2024, 2, 29, 12, 30, 0, 1, tzinfo=UTC),  # leap day
    ]
    span_us = 30 * 3600 * 1_000_000
    while len(out) < count:
        out.append(start + timedelta(microseconds=rng.randrange(span_us)))
    rng.shuffle(out)
    return out


def iso_us(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}Z"


def alb_log(rng):
    lines, recorded = [], []
    tg = "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/lake/0123456789abcdef"
    for i, t in enumerate(times(rng, 260)):
        # 18 fields (the first era): every later column null.
        lines.append(
            f"https {iso_us(t)} app/lake-alb/0123456789abcdef 192.0.2.{i % 250}:{1024 + i} "
            f"10.0.0.{i % 200}:80 0.001 0.002 0.000 200 200 {100 + i} {200 + i} "
            f'"GET https://www.example.com:443/item/{i} HTTP/1.1" "curl/8.5.0" - - {tg} '
            f'"Root=1-{i:08x}-{i:024x}"'
        )
        recorded.append(t)
    lines.insert(
        131, "Enable AccessLog for ELB: app/lake-alb/0123456789abcdef at 2024-03-17T09:55:52.806Z"
    )
    return "\n".join(lines) + "\n", recorded


def clb_log(rng):
    lines, recorded = [], []
    for i, t in enumerate(times(rng, 220)):
        lines.append(
            f"{iso_us(t)} lake-clb 203.0.113.{i % 250}:{1024 + i} 10.0.2.7:80 0.000073 0.001048 "
            f'0.000057 200 200 0 29 "GET http://www.example.com:80/item/{i} HTTP/1.1" '
            f'"curl/7.38.0" - -'
        )
        recorded.append(t)
    return "\n".join(lines) + "\n", recorded


def partition(t, granularity):
    path = f"year={t.year:04d}/month={t.month:02d}/day={t.day:02d}"
    return path + (f"/hour={t.hour:02d}" if granularity == "hour" else "")


def counts(recorded, granularity):
    out = {}
    for t in recorded:
        p = partition(t, granularity)
        out[p] = out.get(p, 0) + 1
    return dict(sorted(out.items()))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(20261208)
    expected = {}
    for name, make, file, compress in [
        ("alb", alb_log, "alb.log.gz", True),
        ("clb", clb_log, "clb.log", False),
    ]:
        text, recorded = make(rng)
        data = text.encode("utf-8")
        with open(os.path.join(out, file), "wb") as f:
            # mtime 0: the same bytes on every run.
            f.write(gzip.compress(data, mtime=0) if compress else data)
        expected[name] = {
            "rows": len(recorded),
            "untimed": 0,
            "hour": counts(recorded, "hour"),
            "day": counts(recorded, "day"),
        }
    with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
