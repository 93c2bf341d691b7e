//! Differential: the same input decoded whole and split into chunks at fuzzer-chosen offsets,
//! with a fuzzer-chosen batch size, line length limit and reject limit, gives identical
//! batches, rejects and counters.

#![no_main]

use aws_access_logs::cloudfront::FieldList;
use aws_access_logs::{Decoder, Format, ReaderBuilder};
use aws_access_logs_fuzz::{
    ELB_FORMATS, check_rejects, check_stats, decode_chunks, default_realtime_fields,
};
use libfuzzer_sys::fuzz_target;

/// The legacy 24-field standard log layout.
const STANDARD_HEADER: &str = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) \
    cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) \
    x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken \
    x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version";

fn decoder(format: u8, batch_size: usize, max_line: usize, max_rejects: usize) -> Decoder {
    // S3, real-time, standard, then ALB, NLB, CLB and ALB connection logs.
    let builder = match format % 7 {
        0 => ReaderBuilder::new(Format::S3),
        1 => ReaderBuilder::new(Format::CloudFrontRealtime).with_fields(default_realtime_fields()),
        2 => ReaderBuilder::new(Format::CloudFrontStandard)
            .with_fields(FieldList::standard(STANDARD_HEADER).unwrap()),
        i => ReaderBuilder::new(ELB_FORMATS[usize::from(i - 3)]),
    };
    builder
        .with_batch_size(batch_size)
        .with_max_line_length(max_line)
        .with_max_rejects(max_rejects, 1 << 12)
        .with_max_batch_bytes(1 << 12)
        .build_decoder()
        .unwrap()
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 12 {
        return;
    }
    let (head, input) = data.split_at(12);
    let format = head[0];
    let batch_size = 1 + head[1] as usize % 64;
    let max_line = 16 + head[2] as usize * 16;
    let max_rejects = 1 + head[3] as usize % 8;
    let mut cuts: Vec<usize> = head[4..]
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]) as usize % (input.len() + 1))
        .collect();
    cuts.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts {
        chunks.push(&input[start..cut]);
        start = cut;
    }
    chunks.push(&input[start..]);

    let mut whole = decoder(format, batch_size, max_line, max_rejects);
    let (whole_batches, whole_rejects) = decode_chunks(&mut whole, [input]);
    let mut split = decoder(format, batch_size, max_line, max_rejects);
    let (split_batches, split_rejects) = decode_chunks(&mut split, chunks);

    let stats = whole.stats();
    check_stats(&stats, &whole_batches);
    check_rejects(input, &whole_rejects, &stats);
    assert_eq!(split.stats(), stats);
    assert_eq!(split_rejects, whole_rejects);
    assert_eq!(split_batches.len(), whole_batches.len());
    for (a, b) in split_batches.iter().zip(&whole_batches) {
        assert_eq!(a, b);
    }
    assert_eq!(split.bytes_seen(), input.len() as u64);
});
