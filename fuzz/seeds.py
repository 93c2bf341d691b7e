#!/usr/bin/env python3
"""Builds the fuzz targets' seed corpora from the project's fixtures.

    python3 fuzz/seeds.py            # writes fuzz/corpus/<target>/seed-*

Each target reads a few leading bytes of its own (flags, a choice of fields, split offsets)
before the log text; the seeds put the fixtures behind the bytes that make them meaningful
(for example the indices of the fixture's real-time field list). Seeds are rebuilt from the
fixtures each time and are not committed; what the fuzzer adds to the corpus stays beside them.
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

    # reader: flags = format (0 auto, 1 S3, 2 real-time, 3 standard) | 4 gzip | 8 two members
    # | 16 cut short | batch size in the top bits.
    inputs = {"s3": (1, s3), "realtime": (2, realtime)}
    inputs.update({stem: (3, text) for stem, text in standards.items()})
    for stem, (fmt, text) in inputs.items():
        write("reader", f"{stem}-auto", bytes([0x40]) + text)
        write("reader", f"{stem}-gzip", bytes([0x40 | fmt | 4 | 8]) + text)
        write("reader", f"{stem}-cut", bytes([0x20 | fmt | 4 | 16]) + text)
        write("reader", f"{stem}-own-gzip", bytes([fmt]) + gzip(text))

    # split_equivalence: format, batch size, line limit, reject limit, four split offsets.
    for stem, (fmt, text) in inputs.items():
        fmt = {1: 0, 2: 1, 3: 2}[fmt]
        cuts = [len(text) // 5, len(text) // 3, len(text) // 2, len(text) - 7]
        head = bytes([fmt, 3, 40, 2]) + b"".join(c.to_bytes(2, "little") for c in cuts)
        write("split_equivalence", stem, head + text)

    # parallel: flags (format, fail-fast 4, gzip 8, cut 16), batch size, line limit, segment.
    for stem, (fmt, text) in inputs.items():
        write("parallel", stem, bytes([fmt, 5, 200, 97]) + text)
        write("parallel", f"{stem}-gzip", bytes([fmt | 8, 7, 255, 200]) + text)
        write("parallel", f"{stem}-cut", bytes([fmt | 8 | 16, 3, 255, 31]) + text)


if __name__ == "__main__":
    main()
