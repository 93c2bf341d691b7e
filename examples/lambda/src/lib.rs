//! The `aws-access-logs` Lambda function: S3 event → curated Parquet in the output bucket.
//!
//! An S3 event (direct, wrapped in SQS messages, or from EventBridge) names log objects; each is
//! read from S3 — whole into memory and decoded where it lies when small
//! ([`Config::in_memory_object_bytes`]), streamed through decompression and the decoder
//! otherwise — into Parquet, written under deterministic keys so that at-least-once delivery
//! never corrupts anything. See the
//! package's README for the configuration and the deployment.
//!
//! The [`Handler`] is generic over an [`ObjectStore`]: [`S3Store`] in Lambda,
//! [`MemoryStore`] in tests.

pub mod config;
pub mod events;
pub mod handler;
pub mod metrics;
pub mod process;
pub mod store;

pub use config::{Config, ConfigError, SourceType};
pub use handler::{Handler, HandlerError};
pub use store::{MemoryStore, ObjectStore, S3Store};

/// Builds the S3 client the function uses: the SDK's default configuration (region,
/// credentials, and `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_S3` for S3-compatible servers),
/// with path-style addressing when configured.
pub async fn s3_client(config: &Config) -> aws_sdk_s3::Client {
    let shared = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let s3 = aws_sdk_s3::config::Builder::from(&shared)
        .force_path_style(config.force_path_style)
        .build();
    aws_sdk_s3::Client::from_conf(s3)
}
