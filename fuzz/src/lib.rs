//! Checks shared by the fuzz targets: the invariants every decoding must keep, whatever the
//! input.

use arrow::array::RecordBatch;
use aws_access_logs::cloudfront::{FieldList, REALTIME_FIELDS, STANDARD_FIELDS};
use aws_access_logs::elb::{ElbRecord, Flavor};
use aws_access_logs::raw::{Line, LineSplitter};
use aws_access_logs::{DecodeStats, Decoder, Format, Reject};

/// Every line is a row, a reject or a skipped line, and the batches hold exactly the rows.
pub fn check_stats(stats: &DecodeStats, batches: &[RecordBatch]) {
    assert_eq!(
        stats.rows + stats.rejected + stats.blank_lines + stats.comment_lines,
        stats.lines,
        "lines unaccounted for: {stats:?}"
    );
    assert!(stats.repaired <= stats.rows, "{stats:?}");
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(rows as u64, stats.rows, "{stats:?}");
}

/// Every reject's raw bytes lie inside `input` at its byte offset (line 1 may have had a
/// UTF-8 byte order mark stripped), rejects come in line order, and the counters agree.
pub fn check_rejects(input: &[u8], rejects: &[Reject], stats: &DecodeStats) {
    let mut last_line = 0;
    for reject in rejects {
        assert!(reject.line() > last_line, "rejects out of order");
        last_line = reject.line();
        assert!(reject.line() <= stats.lines);
        let start = usize::try_from(reject.byte_offset()).unwrap();
        let raw = reject.raw();
        let end = start.checked_add(raw.len()).unwrap();
        let at_offset = input.get(start..end) == Some(raw);
        let after_bom = reject.line() == 1
            && input.starts_with(b"\xef\xbb\xbf")
            && input.get(start + 3..end + 3) == Some(raw);
        assert!(
            at_offset || after_bom,
            "reject of line {} (offset {start}, {} bytes) is not a span of the input",
            reject.line(),
            raw.len()
        );
        let position = reject.error().position().expect("a reject has a position");
        assert_eq!(position.line, reject.line());
    }
    let kept = rejects.len() as u64 + stats.rejects_dropped;
    assert_eq!(kept, stats.rejected + stats.repaired, "{stats:?}");
}

/// Decodes `chunks` in order with `decoder`, flushing whenever a batch is full and taking the
/// rejects whenever they fill up, and returns the batches and every reject.
pub fn decode_chunks<'a>(
    decoder: &mut Decoder,
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> (Vec<RecordBatch>, Vec<Reject>) {
    let mut batches = Vec::new();
    let mut rejects = Vec::new();
    for chunk in chunks {
        let mut rest = chunk;
        let mut stalls = 0;
        loop {
            let n = decoder.decode(rest).expect("skip policy never fails");
            assert!(n <= rest.len());
            rest = &rest[n..];
            if decoder.is_full() {
                batches.push(decoder.flush().unwrap().expect("a full batch has rows"));
            }
            rejects.extend(decoder.take_rejects());
            if rest.is_empty() {
                break;
            }
            stalls = if n == 0 { stalls + 1 } else { 0 };
            assert!(stalls < 3, "decode makes no progress");
        }
    }
    decoder.finish().unwrap();
    while let Some(batch) = decoder.flush().unwrap() {
        batches.push(batch);
    }
    rejects.extend(decoder.take_rejects());
    (batches, rejects)
}

/// Reads a choice of up to `max` distinct indices below `of` from the front of `data`: one
/// count byte, then one byte per index. Returns the indices (in the order given) and the rest.
pub fn take_indices(data: &[u8], max: usize, of: usize) -> (Vec<usize>, &[u8]) {
    let Some((&count, rest)) = data.split_first() else {
        return (Vec::new(), data);
    };
    let count = (count as usize % max).min(rest.len());
    let mut seen = vec![false; of];
    let mut indices = Vec::with_capacity(count);
    for &b in &rest[..count] {
        let i = b as usize % of;
        if !seen[i] {
            seen[i] = true;
            indices.push(i);
        }
    }
    (indices, &rest[count..])
}

/// The real-time field names at `indices`, space separated.
pub fn realtime_names(indices: &[usize]) -> String {
    names(indices.iter().map(|&i| REALTIME_FIELDS[i].name()))
}

/// The standard field names at `indices` (an index past the registry is an unknown field),
/// space separated.
pub fn standard_names(indices: &[usize]) -> String {
    const UNKNOWN: [&str; 3] = ["x-new-field", "cs(X-Forwarded-For)", "sc-unknown-len"];
    names(
        indices
            .iter()
            .map(|&i| STANDARD_FIELDS.get(i).map_or(UNKNOWN[i % 3], |f| f.name())),
    )
}

fn names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(" ")
}

/// A fixed real-time field list (the 45 fields most configurations use) for targets whose
/// fuzzing is elsewhere.
pub fn default_realtime_fields() -> FieldList {
    FieldList::realtime(&realtime_names(&(0..45).collect::<Vec<_>>())).unwrap()
}

/// The Elastic Load Balancing formats, in the order the targets number them.
pub const ELB_FORMATS: [Format; 4] = [Format::Alb, Format::Nlb, Format::Clb, Format::AlbConnection];

/// The flavor of an Elastic Load Balancing format.
pub fn elb_flavor(format: Format) -> Option<Flavor> {
    Flavor::ALL.iter().copied().find(|f| f.format() == format)
}

/// `ElbRecord::parse` on each line of `text` (split as the decoder splits it, lines of more
/// than `max_line_length` bytes left to the decoder): every known field lies in the line, in
/// order, with the flavor's fewest fields; the trailing fields end the line (but for spaces
/// at its end) and are not empty; the counts agree.
/// Returns the lines it refused, which the decoder must have rejected: at most `rejected`.
pub fn check_elb_lines(flavor: Flavor, text: &[u8], max_line_length: usize) -> u64 {
    let mut splitter = LineSplitter::new(max_line_length);
    let mut pos = 0;
    let mut refused = 0;
    let mut check = |line: Line<'_>| {
        if line.is_truncated() || line.is_blank() {
            return;
        }
        let mut bytes = line.bytes;
        if line.number == 1 {
            bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        }
        match ElbRecord::parse(flavor, bytes) {
            Ok(record) => check_elb_record(flavor, bytes, &record),
            Err(_) => refused += 1,
        }
    };
    while let Some(line) = splitter.next_line(text, &mut pos) {
        check(line);
    }
    if let Some(line) = splitter.finish() {
        check(line);
    }
    refused
}

fn check_elb_record(flavor: Flavor, line: &[u8], record: &ElbRecord<'_>) {
    assert_eq!(record.line(), line);
    assert_eq!(record.flavor(), flavor);
    let known = record.known_fields();
    assert!(known >= flavor.min_fields(), "{known} fields");
    assert!(known <= flavor.field_names().len());
    let mut last = 0;
    for i in 0..known {
        let span = record.span(i).expect("a known field has a span");
        let (start, end) = (span.start as usize, span.end as usize);
        assert!(
            last <= start && start <= end && end <= line.len(),
            "field {i}: {span:?}"
        );
        last = end;
        assert_eq!(record.field(i), Some(&line[start..end]));
    }
    assert_eq!(record.field(known), None);
    match record.trailing_fields() {
        Some(trailing) => {
            // They end the line, but for spaces at its end (which end no field).
            let mut end = line.len();
            while end > 0 && line[end - 1] == b' ' {
                end -= 1;
            }
            assert!(!trailing.is_empty());
            assert!(line[..end].ends_with(trailing), "{trailing:?}");
            assert!(end - trailing.len() > last);
            assert_eq!(known, flavor.field_names().len());
            assert!(record.field_count() > known);
        }
        None => assert_eq!(record.field_count(), known),
    }
    for name in flavor.field_names() {
        let _ = record.get(name);
    }
}
