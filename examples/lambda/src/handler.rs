//! The handler: an event in, every object it names processed, a response out.

use std::sync::Arc;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse};
use serde_json::{Value, json};

use crate::config::{Config, is_elb_test_file};
use crate::events::{self, BatchInvocation, Invocation, ObjectRef};
use crate::metrics;
use crate::process::{self, Failure, Outcome};
use crate::store::ObjectStore;

/// The most bytes of a task's `resultString` in an S3 Batch Operations response: a longer
/// cause is cut (at a character boundary, ending with `…`). AWS documents no limit for the
/// string; the completion report is a CSV file that should stay readable, and 1,024 bytes is
/// the longest key a manifest may hold.
pub const MAX_RESULT_STRING: usize = 1024;

/// An S3 Batch Operations task's result code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchResultCode {
    /// Done (or skipped: the function's own output, an Elastic Load Balancing test object).
    Succeeded,
    /// Worth retrying: Batch Operations runs the task again before the job completes.
    TemporaryFailure,
    /// Not worth retrying: the object itself is at fault.
    PermanentFailure,
}

impl BatchResultCode {
    /// The code as the response spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchResultCode::Succeeded => "Succeeded",
            BatchResultCode::TemporaryFailure => "TemporaryFailure",
            BatchResultCode::PermanentFailure => "PermanentFailure",
        }
    }
}

/// `text` cut to at most [`MAX_RESULT_STRING`] bytes, at a character boundary.
pub fn result_string(text: &str) -> String {
    if text.len() <= MAX_RESULT_STRING {
        return text.to_string();
    }
    let ellipsis = "…";
    let mut end = MAX_RESULT_STRING - ellipsis.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ellipsis}", &text[..end])
}

/// Why an object named by an event is not processed (never a failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// The function's own output (output bucket, under the output prefix): processing it
    /// would loop.
    OwnOutput,
    /// `AWSLogs/<account>/ELBAccessLogTestFile`, which Elastic Load Balancing writes when
    /// access logging is enabled: not a log.
    ElbTestFile,
}

impl Skip {
    /// Why, as the S3 Batch Operations result string and the log line say it.
    pub fn reason(self) -> &'static str {
        match self {
            Skip::OwnOutput => {
                "skipped: the function's own output (output bucket, under the output prefix)"
            }
            Skip::ElbTestFile => {
                "skipped: the test object Elastic Load Balancing writes when access logging is \
                 enabled (ELBAccessLogTestFile), not a log"
            }
        }
    }
}

/// What became of an object an event names.
#[derive(Debug)]
pub enum Handled {
    /// Processed: what it gave.
    Processed(Box<Outcome>),
    /// Not processed, and not a failure.
    Skipped(Skip),
}

/// The result code and string of one processed (or skipped) object, or of its failure.
pub fn batch_result(result: &Result<Handled, Failure>) -> (BatchResultCode, String) {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    match result {
        Ok(Handled::Skipped(skip)) => (BatchResultCode::Succeeded, skip.reason().into()),
        Ok(Handled::Processed(outcome)) => {
            let files = outcome.parquet_keys.len();
            let summary = format!(
                "{} rows, {} rejected, {files} Parquet file{} ({})",
                outcome.stats.rows,
                outcome.stats.rejected,
                plural(files),
                outcome.source_type.name()
            );
            match &outcome.incomplete {
                // The rows before the fault are written; the object will not change.
                Some(cause) => (
                    BatchResultCode::PermanentFailure,
                    format!("incomplete: {cause}; written before it: {summary}"),
                ),
                None => (BatchResultCode::Succeeded, summary),
            }
        }
        Err(failure) if failure.permanent => {
            (BatchResultCode::PermanentFailure, failure.cause.clone())
        }
        Err(failure) => (BatchResultCode::TemporaryFailure, failure.cause.clone()),
    }
}

/// Where the metric lines go (standard output in Lambda).
pub type Emit = Arc<dyn Fn(&str) + Send + Sync>;

/// The error the handler returns when an object failed with a retryable failure (Lambda then
/// retries the event, and sends it to the dead-letter queue when the retries fail too).
pub struct HandlerError(pub String);

impl std::fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Display for HandlerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HandlerError {}

/// The objects of an event that need no retry: processed, or failed permanently.
#[derive(Default)]
struct Done {
    outcomes: Vec<Outcome>,
    permanent: Vec<Failure>,
}

/// The function's handler, over any [`ObjectStore`].
pub struct Handler<S> {
    store: S,
    config: Arc<Config>,
    emit: Emit,
}

impl<S: ObjectStore> Handler<S> {
    /// A handler writing metric lines to standard output.
    pub fn new(store: S, config: Config) -> Self {
        Handler::with_emit(store, config, Arc::new(|line: &str| println!("{line}")))
    }

    /// A handler writing metric lines through `emit`.
    pub fn with_emit(store: S, config: Config, emit: Emit) -> Self {
        Handler {
            store,
            config: Arc::new(config),
            emit,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Processes one object, unless it is the function's own output or an Elastic Load
    /// Balancing test object ([`Skip`], logged); logs the outcome and emits its metrics line.
    pub async fn object(&self, object: &ObjectRef) -> Result<Handled, Failure> {
        if self.config.is_own_output(&object.bucket, &object.key) {
            tracing::warn!(
                bucket = %object.bucket,
                key = %object.key,
                "skipped: the object is this function's own output (output bucket, under the \
                 output prefix); check the trigger's prefix filters"
            );
            return Ok(Handled::Skipped(Skip::OwnOutput));
        }
        if is_elb_test_file(&object.key) {
            tracing::info!(
                bucket = %object.bucket,
                key = %object.key,
                "{}",
                Skip::ElbTestFile.reason()
            );
            return Ok(Handled::Skipped(Skip::ElbTestFile));
        }
        // Boxed: the future is deep, and the runtime's own nests it further.
        match Box::pin(process::process(&self.store, &self.config, object)).await {
            Ok(outcome) => {
                let now = chrono::Utc::now().timestamp_millis();
                (self.emit)(&metrics::emf(&outcome, now).to_string());
                if let Some(cause) = &outcome.incomplete {
                    tracing::error!(
                        bucket = %outcome.bucket,
                        key = %outcome.key,
                        cause = %cause,
                        rows = outcome.stats.rows,
                        parquet_files = outcome.parquet_keys.len(),
                        first_parquet_key = outcome.parquet_keys.first().map_or("-", String::as_str),
                        permanent = true,
                        "incomplete: the object stops early (it will not change, so it is not \
                         retried); the rows before were written, the Parquet file is marked \
                         aws_access_logs.incomplete"
                    );
                }
                tracing::info!(
                    bucket = %outcome.bucket,
                    key = %outcome.key,
                    format = outcome.source_type.name(),
                    rows = outcome.stats.rows,
                    rejected = outcome.stats.rejected,
                    parquet_files = outcome.parquet_keys.len(),
                    first_parquet_key = outcome.parquet_keys.first().map_or("-", String::as_str),
                    "processed"
                );
                Ok(Handled::Processed(Box::new(outcome)))
            }
            Err(failure) => {
                tracing::error!(
                    bucket = %failure.bucket,
                    key = %failure.key,
                    cause = %failure.cause,
                    permanent = failure.permanent,
                    "{}",
                    if failure.permanent {
                        "failed permanently: the object itself is at fault, so it is not retried"
                    } else {
                        "failed"
                    }
                );
                Err(failure)
            }
        }
    }

    /// Processes every object `objects` names, then fails if any failed with a retryable
    /// failure. Permanent failures (logged) are returned with the outcomes: retrying would
    /// read the same bytes again.
    async fn all(&self, objects: &[ObjectRef]) -> Result<Done, Vec<Failure>> {
        let mut done = Done::default();
        let mut failures = Vec::new();
        for object in objects {
            match self.object(object).await {
                Ok(Handled::Processed(outcome)) => done.outcomes.push(*outcome),
                Ok(Handled::Skipped(_)) => {}
                Err(failure) if failure.permanent => done.permanent.push(failure),
                Err(failure) => failures.push(failure),
            }
        }
        if failures.is_empty() {
            Ok(done)
        } else {
            Err(failures)
        }
    }

    /// Runs an S3 Batch Operations invocation's tasks, one after another; every task gets a
    /// result, whatever happens to the others.
    async fn batch(&self, batch: BatchInvocation) -> Value {
        tracing::info!(
            job_id = %batch.job_id,
            invocation_id = %batch.invocation_id,
            schema_version = %batch.schema_version,
            tasks = batch.tasks.len(),
            user_arguments = ?batch.user_arguments,
            "S3 Batch Operations invocation"
        );
        let mut results = Vec::with_capacity(batch.tasks.len());
        for task in batch.tasks {
            let (code, text) = match task.object {
                Err(cause) => {
                    tracing::error!(task_id = %task.task_id, cause = %cause, "unreadable task");
                    (BatchResultCode::PermanentFailure, cause)
                }
                Ok(object) => {
                    let result = self.object(&object).await;
                    batch_result(&result)
                }
            };
            tracing::info!(
                task_id = %task.task_id,
                result_code = code.as_str(),
                result = %text,
                "S3 Batch Operations task"
            );
            results.push(json!({
                "taskId": task.task_id,
                "resultCode": code.as_str(),
                "resultString": result_string(&text),
            }));
        }
        json!({
            "invocationSchemaVersion": batch.schema_version,
            "treatMissingKeysAs": "PermanentFailure",
            "invocationId": batch.invocation_id,
            "results": results,
        })
    }

    /// Handles one invocation's payload.
    ///
    /// * S3 notification, EventBridge event: every object is processed; if any failed with a
    ///   retryable failure, the error names them (the others were written). Permanent
    ///   failures and incomplete objects are listed in the response (`failed_permanently`,
    ///   `incomplete`), not retried.
    /// * SQS: `{"batchItemFailures": [{"itemIdentifier": ID}, ...]}` naming the messages with
    ///   an object that failed with a retryable failure.
    /// * `s3:TestEvent`: acknowledged.
    /// * S3 Batch Operations: `{"invocationSchemaVersion", "treatMissingKeysAs",
    ///   "invocationId", "results": [{"taskId", "resultCode", "resultString"}, ...]}`, one
    ///   result per task: `Succeeded` (processed, or skipped: the function's own output, an
    ///   Elastic Load Balancing test object),
    ///   `TemporaryFailure` (a retryable failure), `PermanentFailure` (a permanent failure, an
    ///   incomplete object, a task without bucket or key). Never an error for a task.
    ///
    /// # Errors
    ///
    /// An unrecognised payload, or objects that failed (not for SQS).
    pub async fn handle(&self, payload: Value) -> Result<Value, HandlerError> {
        let invocation = events::parse(payload).map_err(|e| {
            tracing::error!(cause = %e, "unrecognised event");
            HandlerError(e)
        })?;
        let summary = |done: &Done| {
            let outcomes = &done.outcomes;
            let mut summary = json!({
                "processed": outcomes.len(),
                "rows": outcomes.iter().map(|o| o.stats.rows).sum::<u64>(),
                "rejected": outcomes.iter().map(|o| o.stats.rejected).sum::<u64>(),
            });
            let incomplete: Vec<String> = outcomes
                .iter()
                .filter_map(|o| {
                    let cause = o.incomplete.as_ref()?;
                    Some(format!("s3://{}/{}: {cause}", o.bucket, o.key))
                })
                .collect();
            if !incomplete.is_empty() {
                summary["incomplete"] = json!(incomplete);
            }
            if !done.permanent.is_empty() {
                let failed: Vec<String> = done.permanent.iter().map(ToString::to_string).collect();
                summary["failed_permanently"] = json!(failed);
            }
            summary
        };
        let failed = |failures: Vec<Failure>, invalid: &[String], total: usize| {
            let causes: Vec<String> = failures
                .iter()
                .map(ToString::to_string)
                .chain(invalid.iter().cloned())
                .collect();
            HandlerError(format!(
                "{} of {total} objects failed: {}",
                causes.len(),
                causes.join("; ")
            ))
        };
        match invocation {
            Invocation::S3Batch(batch) => Ok(self.batch(batch).await),
            Invocation::TestEvent => {
                tracing::info!("s3:TestEvent acknowledged");
                Ok(json!({"ignored": "s3:TestEvent"}))
            }
            Invocation::S3 {
                objects,
                ignored,
                invalid,
            } => {
                for name in ignored {
                    tracing::info!(event = %name, "ignored: not an object creation");
                }
                for cause in &invalid {
                    tracing::error!(cause = %cause, "unreadable event record");
                }
                let total = objects.len() + invalid.len();
                let result = self.all(&objects).await;
                match (result, invalid.is_empty()) {
                    (Ok(done), true) => Ok(summary(&done)),
                    (Ok(_), false) => Err(failed(Vec::new(), &invalid, total)),
                    (Err(failures), _) => Err(failed(failures, &invalid, total)),
                }
            }
            Invocation::OtherEventBridge(detail_type) => {
                tracing::warn!(
                    detail_type = %detail_type,
                    "ignored: an EventBridge event that is not \"Object Created\" (check the rule's \
                     event pattern)"
                );
                Ok(json!({"ignored": detail_type}))
            }
            Invocation::EventBridge(object) => self
                .all(std::slice::from_ref(&object))
                .await
                .map(|done| summary(&done))
                .map_err(|f| failed(f, &[], 1)),
            Invocation::Sqs(items) => {
                let mut failures = Vec::new();
                for item in items {
                    let ok = match &item.objects {
                        Ok(objects) => self.all(objects).await.is_ok(),
                        Err(cause) => {
                            tracing::error!(
                                message_id = %item.message_id,
                                cause = %cause,
                                "unreadable SQS message"
                            );
                            false
                        }
                    };
                    if !ok {
                        let mut failure = BatchItemFailure::default();
                        failure.item_identifier = item.message_id.clone();
                        failures.push(failure);
                    }
                }
                let mut response = SqsBatchResponse::default();
                response.batch_item_failures = failures;
                serde_json::to_value(response).map_err(|e| HandlerError(e.to_string()))
            }
        }
    }
}

impl From<HandlerError> for lambda_runtime::Diagnostic {
    fn from(err: HandlerError) -> Self {
        lambda_runtime::Diagnostic {
            error_type: "AwsAccessLogs.ObjectsFailed".into(),
            error_message: err.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_strings_are_capped_at_a_character_boundary() {
        assert_eq!(result_string("3 rows"), "3 rows");
        let exact = "a".repeat(MAX_RESULT_STRING);
        assert_eq!(result_string(&exact), exact);
        // Two-byte characters: the cut never splits one.
        let long = "é".repeat(MAX_RESULT_STRING);
        let cut = result_string(&long);
        assert!(cut.len() <= MAX_RESULT_STRING, "{}", cut.len());
        assert!(cut.len() > MAX_RESULT_STRING - 8);
        assert!(cut.ends_with('…'));
        assert!(cut.trim_end_matches('…').chars().all(|c| c == 'é'));
    }

    #[test]
    fn failures_map_to_result_codes() {
        let failure = |permanent| {
            Err(Failure {
                bucket: "logs".into(),
                key: "k".into(),
                cause: "why".into(),
                permanent,
            })
        };
        assert_eq!(
            batch_result(&failure(true)),
            (BatchResultCode::PermanentFailure, "why".into())
        );
        assert_eq!(
            batch_result(&failure(false)),
            (BatchResultCode::TemporaryFailure, "why".into())
        );
        for skip in [Skip::OwnOutput, Skip::ElbTestFile] {
            let (code, text) = batch_result(&Ok(Handled::Skipped(skip)));
            assert_eq!(code, BatchResultCode::Succeeded);
            assert!(text.starts_with("skipped: "), "{text}");
        }
        assert_eq!(
            BatchResultCode::TemporaryFailure.as_str(),
            "TemporaryFailure"
        );
    }
}
