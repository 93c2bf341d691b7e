//! One CloudWatch embedded-metric-format (EMF) line per object.

use serde_json::{Value, json};

use crate::process::Outcome;

/// The most Parquet keys a metrics line lists (`parquet_keys`; `parquet_keys_omitted` counts
/// the others, which the `latest` document lists): a CloudWatch Logs event holds at most
/// 256 KB, and an object can span thousands of partitions.
pub const MAX_KEYS: usize = 100;

/// The CloudWatch namespace of the metrics.
pub const NAMESPACE: &str = "AwsAccessLogs";

/// The EMF document for one processed object: metrics `rows`, `rejected`, `bytes_in` (the
/// object as stored), `bytes_out` (Parquet plus rejects), `reduction_pct` and `duration_ms`, with the dimension `format`; the object's
/// bucket, key and output keys ride along as properties (searchable in Logs Insights, not
/// metrics).
pub fn emf(outcome: &Outcome, timestamp_ms: i64) -> Value {
    let metric = |name: &str, unit: &str| json!({"Name": name, "Unit": unit});
    json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["format"]],
                "Metrics": [
                    metric("rows", "Count"),
                    metric("rejected", "Count"),
                    metric("bytes_in", "Bytes"),
                    metric("bytes_out", "Bytes"),
                    metric("reduction_pct", "Percent"),
                    metric("duration_ms", "Milliseconds"),
                ],
            }],
        },
        "format": outcome.source_type.name(),
        "rows": outcome.stats.rows,
        "rejected": outcome.stats.rejected,
        "bytes_in": outcome.bytes_in,
        "bytes_out": outcome.bytes_out(),
        "reduction_pct": (outcome.reduction_pct() * 100.0).round() / 100.0,
        "duration_ms": (outcome.duration_ms * 10.0).round() / 10.0,
        "repaired": outcome.stats.repaired,
        "text_bytes": outcome.text_bytes,
        "parquet_bytes": outcome.parquet_bytes,
        "rejects_bytes": outcome.rejects_bytes,
        "rejects_omitted": outcome.rejects_omitted,
        "bucket": outcome.bucket,
        "key": outcome.key,
        "parquet_files": outcome.parquet_keys.len(),
        // The first keys only: a CloudWatch Logs event holds at most 256 KB.
        "parquet_keys": outcome.parquet_keys.iter().take(MAX_KEYS).collect::<Vec<_>>(),
        "parquet_keys_omitted": outcome.parquet_keys.len().saturating_sub(MAX_KEYS),
        "rejects_key": outcome.rejects_key,
        "latest_updated": outcome.latest_updated,
        "incomplete": outcome.incomplete,
        "passes": outcome.passes,
        "in_memory": outcome.in_memory,
    })
}
