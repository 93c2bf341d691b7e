//! The Lambda function's entry point: configuration and S3 client at cold start, then the
//! runtime API loop.

use aws_access_logs_lambda::{Config, Handler, S3Store, s3_client};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_target(false)
        .with_current_span(false)
        .with_span_list(false)
        .flatten_event(true)
        .with_writer(std::io::stdout)
        .init();

    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            tracing::error!(variable = err.variable, "bad configuration: {err}");
            return Err(err.into());
        }
    };
    tracing::info!(
        output_bucket = %config.output_bucket,
        output_prefix = %config.output_prefix,
        routes = config.routes.len(),
        "configured"
    );
    let client = s3_client(&config).await;
    let handler = Handler::new(S3Store::new(client), config);
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handler.handle(event.payload).await
    }))
    .await
}
