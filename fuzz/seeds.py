#!/usr/bin/env python3
"""Builds the fuzz targets' seed corpora from the project's fixtures.

    python3 fuzz/seeds.py            # writes fuzz/corpus/<target>/seed-*

Each target reads a few leading bytes of its own (flags, a choice of fields, split offsets)
before the log text; the seeds put the fixtures behind the bytes that make them meaningful
(for example the indices of the fixture's real-time field list). Seeds are rebuilt from the
fixtures each time and are not committed; what the fuzzer adds to the corpus stays beside them.

Elastic Load Balancing logs have no target of their own: `reader`, `split_equivalence` and
`parallel` take their formats, seeded with the example lines of the project's fact sheet
(shared/spec/formats.md §4.9, copied below) and the lines of fixtures/elb/.
"""

import json
import pathlib
import re
import zlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT / "fuzz" / "corpus"


def registry(name):
    """The field names of a registry array in src/cloudfront/fields.rs, in order."""
    source_path = ROOT / "src" / "cloudfront" / "fields.rs"
    source = source_path.read_text()
    block = re.search(rf"pub const {name}: &\[KnownField\] = &\[(.*?)\];", source, re.S)
    if block is None:
        raise SystemExit(f"seeds.py: the registry {name} not found in {source_path}")
    return re.findall(r'f\("([^"]+)"', block.group(1))


# The example lines of the fact sheet, §4.9 (ALB: the "HTTPS" example and the failed Lambda
# request; NLB with an ALPN policy; CLB's TCP listener; a connection log of a plain HTTP
# listener).
SPEC_ELB = {
    "alb": (
        b'https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 2018-07-02T22:22:48.364000Z "authenticate,forward" "-" "-" "10.0.0.1:80" "200" "-" "-"\n'
        b'http 2018-11-30T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 - 0.000 0.001 0.000 502 - 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337364-23a8c76965a2ef7629b185e3" "-" "-" 0 2018-11-30T22:22:48.364000Z "forward" "-" "LambdaInvalidResponse" "-" "-" "-" "-"\n'
    ),
    "nlb": (
        b'tls 2.0 2020-04-01T08:51:42 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd 72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com h2 h2 "h2","http/1.1" 2020-04-01T08:51:20\n'
    ),
    "clb": (
        b'2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.001069 0.000028 0.000041 - - 82 305 "- - - " "-" - -\n'
    ),
    "alb-connection": (
        b'2024-11-29T13:45:24.599544Z 172.31.43.26 58206 80 - - - "-" - - - TID_16132ed0b4112148\n'
    ),
}
# The targets' numbering of the ELB formats (fuzz/src/lib.rs, ELB_FORMATS).
ELB_INDEX = {"alb": 0, "nlb": 1, "clb": 2, "alb-connection": 3}

REALTIME = registry("REALTIME_FIELDS")
STANDARD = registry("STANDARD_FIELDS")


def choice(names, registry):
    """A count byte and one index byte per name (the targets' take_indices)."""
    indices = [registry.index(n) for n in names]
    return bytes([len(indices)] + indices)


def gzip(data):
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def write(target, name, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"seed-{name}").write_bytes(data)


def standard_parts(text):
    """The field names of the first #Fields: line, and the lines after it."""
    lines = text.split(b"\n")
    for i, line in enumerate(lines):
        if line.startswith(b"#Fields:"):
            names = line[len(b"#Fields:"):].split()
            return [n.decode() for n in names], b"\n".join(lines[i + 1:])
    raise ValueError("no #Fields: line")


def main():
    s3 = (FIXTURES / "s3" / "quirks.log").read_bytes()
    realtime = (FIXTURES / "cloudfront" / "realtime.log").read_bytes()
    config = json.loads((FIXTURES / "cloudfront" / "realtime.config.json").read_text())
    realtime_names = config["RealtimeLogConfig"]["Fields"]
    standards = {
        p.stem: p.read_bytes() for p in sorted((FIXTURES / "cloudfront").glob("standard-*.log"))
    }

    for i, line in enumerate(s3.split(b"\n")):
        if line:
            write("s3_line", f"quirks-{i}", line + b"\n")
    write("s3_line", "quirks", s3)

    for flags in (0, 1, 2, 0x31):
        write(
            "cloudfront_realtime",
            f"flags{flags}",
            bytes([flags]) + choice(realtime_names, REALTIME) + realtime,
        )

    for stem, text in standards.items():
        names, body = standard_parts(text)
        known = [n for n in names if n in STANDARD]
        write("cloudfront_standard", stem, bytes([0x21]) + choice(known, STANDARD) + body)

    # Each ELB format: the spec's lines, and the fixture's good and bad lines.
    elb = {}
    for name, index in ELB_INDEX.items():
        elb[f"spec-{name}"] = (index, SPEC_ELB[name])
        fixtures = [FIXTURES / "elb" / f"{name}.log", FIXTURES / "elb" / f"{name}-bad.log"]
        text = b"".join(p.read_bytes() for p in fixtures if p.exists())
        if text:
            elb[f"fixtures-{name}"] = (index, text)

    # reader: flags = format (0 auto, 1 S3, 2 real-time, 3 standard; with 128: ALB, NLB, CLB,
    # ALB connection log) | 4 gzip | 8 two members | 16 cut short | batch size in bits 5-6.
    inputs = {"s3": (1, s3), "realtime": (2, realtime)}
    inputs.update({stem: (3, text) for stem, text in standards.items()})
    for stem, (fmt, text) in inputs.items():
        write("reader", f"{stem}-auto", bytes([0x40]) + text)
        write("reader", f"{stem}-gzip", bytes([0x40 | fmt | 4 | 8]) + text)
        write("reader", f"{stem}-cut", bytes([0x20 | fmt | 4 | 16]) + text)
        write("reader", f"{stem}-own-gzip", bytes([fmt]) + gzip(text))
    for stem, (index, text) in elb.items():
        fmt = 0x80 | index
        write("reader", f"{stem}-auto", bytes([0x40]) + text)
        write("reader", f"{stem}", bytes([fmt | 0x20]) + text)
        write("reader", f"{stem}-gzip", bytes([fmt | 0x40 | 4 | 8]) + text)
        write("reader", f"{stem}-cut", bytes([fmt | 0x20 | 4 | 16]) + text)

    # split_equivalence: format, batch size, line limit, reject limit, four split offsets.
    for stem, (fmt, text) in inputs.items():
        fmt = {1: 0, 2: 1, 3: 2}[fmt]
        cuts = [len(text) // 5, len(text) // 3, len(text) // 2, len(text) - 7]
        head = bytes([fmt, 3, 40, 2]) + b"".join(c.to_bytes(2, "little") for c in cuts)
        write("split_equivalence", stem, head + text)
    for stem, (index, text) in elb.items():
        cuts = [len(text) // 5, len(text) // 3, len(text) // 2, len(text) - 7]
        head = bytes([3 + index, 3, 40, 2]) + b"".join(c.to_bytes(2, "little") for c in cuts)
        write("split_equivalence", stem, head + text)

    # parallel: flags (format, fail-fast 4, gzip 8, cut 16), batch size, line limit, segment.
    for stem, (fmt, text) in inputs.items():
        write("parallel", stem, bytes([fmt, 5, 200, 97]) + text)
        write("parallel", f"{stem}-gzip", bytes([fmt | 8, 7, 255, 200]) + text)
        write("parallel", f"{stem}-cut", bytes([fmt | 8 | 16, 3, 255, 31]) + text)
    # ELB formats: 64 | index.
    for stem, (index, text) in elb.items():
        fmt = 0x40 | index
        write("parallel", stem, bytes([fmt, 5, 200, 97]) + text)
        write("parallel", f"{stem}-gzip", bytes([fmt | 8, 7, 255, 200]) + text)
        write("parallel", f"{stem}-cut", bytes([fmt | 8 | 16, 3, 255, 31]) + text)

    # parquet_text: flags (column count - 1 in bits 0-1, codec in 2-3: zstd 1, zstd 3, snappy,
    # none; batch size in 4-5: 1, 3, 16, 1000; sliced batches 64), more (Utf8View columns in
    # bits 0-3; row-group size in 4-5: 2, 7, 100, 1 Mi; a request_id column 64; no nulls 128),
    # a repeat count, then the values, separated by 0xFF (0xFE alone: a null).
    def values(pieces):
        return b"\xff".join(pieces)

    null = b"\xfe"
    write("parquet_text", "s3-words", bytes([0x67, 0x25, 2]) + values(s3.split(b" ")))
    write("parquet_text", "realtime-fields", bytes([0x39, 0x32, 30]) + values(realtime.split(b"\t")))
    long = []
    for ascii_len in range(58, 66):
        for char in ("é", "漢", "😀", "\u07ff", "\uffff"):
            long.append(("a" * ascii_len + char * 3).encode())
    for char in ("\U0010ffff", "\uffff", "\ud7ff", "\x7f", "\u07ff"):
        long.append((char * 40).encode())
        long.append(("z" + char * 40).encode())
    long += [b"", null, b"p" * 64, b"p" * 64 + b"a", b"p" * 64 + b"b", null, b""]
    write("parquet_text", "long-values", bytes([0x0B, 0x0A, 0]) + values(long))
    write("parquet_text", "long-values-small-groups", bytes([0x52, 0x15, 1]) + values(long))
    ids = [f"{(i * 2654435761) % (1 << 32):08x}{i:08x}".encode() for i in range(200)]
    write("parquet_text", "request-ids", bytes([0x2D, 0x62, 0]) + values(ids))
    runs = [b"GET"] * 300 + [b"GET", b"PUT"] * 100 + [null] * 50 + [b"HEAD"]
    write("parquet_text", "runs", bytes([0x30, 0xB1, 9]) + values(runs))


if __name__ == "__main__":
    main()
