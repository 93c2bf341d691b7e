//! The events that trigger the function, reduced to the objects they name.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_lambda_events::s3::S3Event;
use aws_lambda_events::sqs::SqsEvent;
use serde::Deserialize;
use serde_json::Value;

/// An object named by an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    /// Source bucket.
    pub bucket: String,
    /// Object key, decoded as the event encodes it.
    pub key: String,
    /// Version id, when the bucket is versioned.
    pub version_id: Option<String>,
    /// ETag as the event gives it (without quotes).
    pub etag: Option<String>,
    /// Size in bytes, when the event gives it.
    pub size: Option<u64>,
    /// Another reading of the key, when the event's encoding is not certain, read when no
    /// object under `key` answers (404, or 403 without list permission) and, with an ETag,
    /// only if the object under it has that ETag. EventBridge: the key URL-decoded, when that
    /// differs, and only when the event names an ETag (never the wrong one of two objects
    /// `a+b` and `a b`). S3 Batch Operations: the task's other reading (see [`batch_keys`]).
    pub alternative_key: Option<String>,
}

/// What an event asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// A direct S3 notification: its `ObjectCreated:*` records (other records are listed in
    /// `ignored`).
    S3 {
        /// Objects to process, in event order.
        objects: Vec<ObjectRef>,
        /// Records that are not object creations (event names).
        ignored: Vec<String>,
        /// Object creation records that could not be read (why).
        invalid: Vec<String>,
    },
    /// SQS messages, each wrapping an S3 notification.
    Sqs(Vec<SqsItem>),
    /// An EventBridge "Object Created" event.
    EventBridge(ObjectRef),
    /// An EventBridge event of another type (its `detail-type`), acknowledged and ignored.
    OtherEventBridge(String),
    /// `s3:TestEvent`, sent when a notification configuration is saved.
    TestEvent,
    /// An S3 Batch Operations invocation (`LambdaInvoke` job): tasks, each naming an object.
    S3Batch(BatchInvocation),
}

/// An S3 Batch Operations invocation, schema `1.0` or `2.0`.
///
/// Schema `1.0` names the bucket by ARN (`s3BucketArn`), `2.0` by name (`s3Bucket`) and adds
/// the job's `userArguments`. The function's response repeats `invocationSchemaVersion` and
/// `invocationId` and gives one result per task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchInvocation {
    /// `invocationSchemaVersion`, repeated in the response.
    pub schema_version: String,
    /// `invocationId`, repeated in the response.
    pub invocation_id: String,
    /// The job's id (logged).
    pub job_id: String,
    /// The job's `userArguments` (schema `2.0`; logged, not used).
    pub user_arguments: std::collections::BTreeMap<String, String>,
    /// The tasks, in order (AWS sends one per invocation).
    pub tasks: Vec<BatchTask>,
}

/// One task of an S3 Batch Operations invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchTask {
    /// `taskId`, repeated in the task's result.
    pub task_id: String,
    /// The object, or why the task does not name one. Its `key` is the reading tried first,
    /// `alternative_key` the other one (see [`batch_keys`]).
    pub object: Result<ObjectRef, String>,
}

/// The two readings of an S3 Batch Operations task's `s3Key`, in the order they are tried.
///
/// Keys in a CSV manifest (and in S3 Inventory reports) are URL-encoded, and Batch Operations
/// passes them on as listed: AWS documents the keys of schema `1.0` as URL-encoded (its
/// examples decode them, `+` being a space), so the decoded key comes first there. For schema
/// `2.0` (and any other) AWS does not say: the key is read as given first, as for EventBridge.
/// The other reading, when it differs, is read only if the first key's object is missing
/// (404, or 403 without list permission), pinned to the task's version id when it has one.
pub fn batch_keys(schema_version: &str, s3_key: &str) -> (String, Option<String>) {
    let decoded = decode_key(s3_key);
    if decoded == s3_key {
        return (decoded, None);
    }
    if schema_version == "1.0" {
        (decoded, Some(s3_key.to_string()))
    } else {
        (s3_key.to_string(), Some(decoded))
    }
}

/// One SQS message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqsItem {
    /// The message id (reported back in `batchItemFailures`).
    pub message_id: String,
    /// The objects its notification names, or why the message could not be read.
    pub objects: Result<Vec<ObjectRef>, String>,
}

/// Decodes an S3 event notification key: `+` is a space, then `%XX` escapes. AWS URL-encodes
/// keys in notifications (`red flower.jpg` → `red+flower.jpg`) and does not fill the decoded
/// key.
pub fn decode_key(key: &str) -> String {
    let plus = key.replace('+', " ");
    percent_encoding::percent_decode_str(&plus)
        .decode_utf8_lossy()
        .into_owned()
}

fn is_test_event(v: &Value) -> bool {
    v.get("Event").and_then(Value::as_str) == Some("s3:TestEvent")
}

/// What an S3 notification names.
struct Notification {
    objects: Vec<ObjectRef>,
    ignored: Vec<String>,
    invalid: Vec<String>,
}

fn version_id(v: Option<String>) -> Option<String> {
    // Unversioned buckets may say "null".
    v.filter(|v| !v.is_empty() && v != "null")
}

/// The objects of an S3 notification (direct, or the body of an SQS message).
fn s3_notification(v: Value) -> Result<Notification, String> {
    let event: S3Event =
        serde_json::from_value(v).map_err(|e| format!("not an S3 event notification: {e}"))?;
    let mut objects = Vec::new();
    let mut ignored = Vec::new();
    let mut invalid = Vec::new();
    for record in event.records {
        let name = record.event_name.clone().unwrap_or_default();
        // "ObjectCreated:Put" (notifications), "s3:ObjectCreated:Put" (some S3-compatible
        // servers).
        if !name.trim_start_matches("s3:").starts_with("ObjectCreated:") {
            ignored.push(name);
            continue;
        }
        let bucket = record.s3.bucket.name.unwrap_or_default();
        let key = record.s3.object.key.unwrap_or_default();
        if bucket.is_empty() || key.is_empty() {
            invalid.push(format!(
                "an {name} record without bucket name or object key (bucket {bucket:?}, key \
                 {key:?})"
            ));
            continue;
        }
        objects.push(ObjectRef {
            bucket,
            key: decode_key(&key),
            version_id: version_id(record.s3.object.version_id),
            etag: record.s3.object.e_tag.filter(|v| !v.is_empty()),
            size: record.s3.object.size.and_then(|s| u64::try_from(s).ok()),
            alternative_key: None,
        });
    }
    Ok(Notification {
        objects,
        ignored,
        invalid,
    })
}

#[derive(Debug, Deserialize, serde::Serialize)]
struct ObjectCreatedDetail {
    bucket: DetailBucket,
    object: DetailObject,
}

#[derive(Debug, Deserialize, serde::Serialize)]
struct DetailBucket {
    name: String,
}

#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
struct DetailObject {
    key: String,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    etag: Option<String>,
    #[serde(default)]
    version_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchEvent {
    invocation_schema_version: String,
    invocation_id: String,
    #[serde(default)]
    job: BatchJob,
    tasks: Vec<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchJob {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    user_arguments: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchEventTask {
    #[serde(default)]
    s3_key: Option<String>,
    #[serde(default)]
    s3_version_id: Option<String>,
    /// Schema 1.0: `arn:aws:s3:::bucket`.
    #[serde(default)]
    s3_bucket_arn: Option<String>,
    /// Schema 2.0.
    #[serde(default)]
    s3_bucket: Option<String>,
}

/// The bucket name of an S3 bucket ARN (`arn:aws:s3:::bucket`; AWS's own example also shows
/// `arn:aws:s3:REGION:ACCOUNT:bucket`).
fn bucket_of_arn(arn: &str) -> String {
    let name = arn.rsplit(':').next().unwrap_or_default();
    name.strip_prefix("bucket/").unwrap_or(name).to_string()
}

fn batch_task(schema_version: &str, task: Value) -> BatchTask {
    let task_id = task
        .get("taskId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let object = serde_json::from_value::<BatchEventTask>(task)
        .map_err(|e| format!("invalid task: {e}"))
        .and_then(|t| {
            let bucket = t
                .s3_bucket
                .filter(|b| !b.is_empty())
                .or_else(|| t.s3_bucket_arn.as_deref().map(bucket_of_arn))
                .filter(|b| !b.is_empty())
                .ok_or("invalid task: no s3Bucket or s3BucketArn")?;
            let s3_key = t
                .s3_key
                .filter(|k| !k.is_empty())
                .ok_or("invalid task: no s3Key")?;
            let (key, alternative_key) = batch_keys(schema_version, &s3_key);
            Ok(ObjectRef {
                bucket,
                key,
                version_id: version_id(t.s3_version_id),
                etag: None,
                size: None,
                alternative_key,
            })
        });
    BatchTask { task_id, object }
}

/// Reads an invocation's payload.
///
/// # Errors
///
/// A message saying what the payload is not, when it is none of the supported events.
pub fn parse(payload: Value) -> Result<Invocation, String> {
    if is_test_event(&payload) {
        return Ok(Invocation::TestEvent);
    }
    if payload.get("invocationSchemaVersion").is_some() && payload.get("tasks").is_some() {
        let event: BatchEvent = serde_json::from_value(payload)
            .map_err(|e| format!("not an S3 Batch Operations invocation: {e}"))?;
        let version = event.invocation_schema_version;
        let tasks = event
            .tasks
            .into_iter()
            .map(|task| batch_task(&version, task))
            .collect();
        return Ok(Invocation::S3Batch(BatchInvocation {
            schema_version: version,
            invocation_id: event.invocation_id,
            job_id: event.job.id.unwrap_or_default(),
            user_arguments: event.job.user_arguments.unwrap_or_default(),
            tasks,
        }));
    }
    if payload.get("detail-type").is_some() {
        let detail_type = payload["detail-type"].as_str().unwrap_or_default();
        if detail_type != "Object Created" {
            return Ok(Invocation::OtherEventBridge(detail_type.to_string()));
        }
        let event: EventBridgeEvent<ObjectCreatedDetail> = serde_json::from_value(payload)
            .map_err(|e| format!("not an EventBridge S3 \"Object Created\" event: {e}"))?;
        // EventBridge's `detail.object.key` is not documented as URL-encoded (notifications'
        // keys are): it is read as given. Should it arrive encoded after all, the decoded key
        // is the alternative, accepted only when the object under it has the event's ETag.
        let d = event.detail;
        let etag = d.object.etag.filter(|v| !v.is_empty());
        let decoded = decode_key(&d.object.key);
        let alternative_key = (etag.is_some() && decoded != d.object.key).then_some(decoded);
        return Ok(Invocation::EventBridge(ObjectRef {
            bucket: d.bucket.name,
            key: d.object.key,
            version_id: version_id(d.object.version_id),
            etag,
            size: d.object.size,
            alternative_key,
        }));
    }
    let source = payload
        .get("Records")
        .and_then(Value::as_array)
        .and_then(|r| r.first())
        .and_then(|r| r.get("eventSource").or_else(|| r.get("EventSource")))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if source == "aws:sqs" {
        let event: SqsEvent =
            serde_json::from_value(payload).map_err(|e| format!("not an SQS event: {e}"))?;
        let items = event
            .records
            .into_iter()
            .map(|m| {
                let message_id = m.message_id.unwrap_or_default();
                let objects = m
                    .body
                    .ok_or_else(|| "an SQS message without a body".to_string())
                    .and_then(|body| {
                        serde_json::from_str::<Value>(&body)
                            .map_err(|e| format!("the SQS message body is not JSON: {e}"))
                    })
                    .and_then(|body| {
                        if is_test_event(&body) {
                            return Ok(Vec::new());
                        }
                        let n = s3_notification(body)?;
                        match n.invalid.first() {
                            Some(invalid) => Err(invalid.clone()),
                            None => Ok(n.objects),
                        }
                    });
                SqsItem {
                    message_id,
                    objects,
                }
            })
            .collect();
        return Ok(Invocation::Sqs(items));
    }
    if payload.get("Records").is_some() {
        let n = s3_notification(payload)?;
        return Ok(Invocation::S3 {
            objects: n.objects,
            ignored: n.ignored,
            invalid: n.invalid,
        });
    }
    Err(
        "unrecognised event: expected an S3 notification, SQS messages wrapping S3 notifications, \
         an EventBridge \"Object Created\" event, or an S3 Batch Operations invocation"
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn s3_record(bucket: &str, key: &str, event: &str) -> Value {
        json!({
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
            "eventTime": "2026-11-30T10:00:00.000Z", "eventName": event,
            "userIdentity": {"principalId": "EXAMPLE"},
            "requestParameters": {"sourceIPAddress": "192.0.2.1"},
            "responseElements": {"x-amz-request-id": "R", "x-amz-id-2": "I"},
            "s3": {"s3SchemaVersion": "1.0", "configurationId": "c",
                   "bucket": {"name": bucket, "ownerIdentity": {"principalId": "O"},
                              "arn": format!("arn:aws:s3:::{bucket}")},
                   "object": {"key": key, "size": 12, "eTag": "abc", "versionId": "v1",
                              "sequencer": "0A"}}
        })
    }

    #[test]
    fn keys_are_url_decoded() {
        assert_eq!(decode_key("red+flower.jpg"), "red flower.jpg");
        assert_eq!(decode_key("a%2Bb%3Dc%20d"), "a+b=c d");
        assert_eq!(
            decode_key("logs/2026-11-30-10-00-00-ABCDEF"),
            "logs/2026-11-30-10-00-00-ABCDEF"
        );
        assert_eq!(decode_key("caf%C3%A9+%25"), "café %");
    }

    #[test]
    fn direct_s3_records() {
        let event = json!({"Records": [
            s3_record("logs", "cache-bucket/a+b%3Dc.log", "ObjectCreated:Put"),
            s3_record("logs", "x", "ObjectRemoved:Delete"),
            s3_record("logs", "transfers-bucket/y", "ObjectCreated:CompleteMultipartUpload"),
        ]});
        let Invocation::S3 {
            objects,
            ignored,
            invalid,
        } = parse(event).unwrap()
        else {
            panic!()
        };
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[0].key, "cache-bucket/a b=c.log");
        assert_eq!(objects[0].bucket, "logs");
        assert_eq!(objects[0].version_id.as_deref(), Some("v1"));
        assert_eq!(objects[0].size, Some(12));
        assert_eq!(objects[1].key, "transfers-bucket/y");
        assert_eq!(ignored, ["ObjectRemoved:Delete"]);
        assert!(invalid.is_empty());

        let mut bad = s3_record("", "k", "ObjectCreated:Put");
        bad["s3"]["object"]["versionId"] = json!("null");
        let good = s3_record("logs", "k", "ObjectCreated:Put");
        let Invocation::S3 {
            objects, invalid, ..
        } = parse(json!({"Records": [bad, good]})).unwrap()
        else {
            panic!()
        };
        assert_eq!(objects.len(), 1);
        assert_eq!(invalid.len(), 1);
        assert!(invalid[0].contains("without bucket name"), "{}", invalid[0]);
    }

    #[test]
    fn batch_operations_schema_1_0() {
        // As AWS documents it (services-s3-batch), with two tasks and URL-encoded keys.
        let event = json!({
            "invocationSchemaVersion": "1.0",
            "invocationId": "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
            "job": {"id": "f3cc4f60-61f6-4a2b-8a21-d07600c373ce"},
            "tasks": [
                {"taskId": "dGFza2lkZ29lc2hlcmUK", "s3Key": "cache-bucket/a+b%2Bc%C3%A9",
                 "s3VersionId": "1", "s3BucketArn": "arn:aws:s3:::logs"},
                {"taskId": "t2", "s3Key": "cache-bucket/plain", "s3VersionId": null,
                 "s3BucketArn": "arn:aws:s3:us-east-1:0123456788:logs"},
                {"taskId": "t3", "s3BucketArn": "arn:aws:s3:::logs"},
            ]
        });
        let Invocation::S3Batch(batch) = parse(event).unwrap() else {
            panic!()
        };
        assert_eq!(batch.schema_version, "1.0");
        assert_eq!(
            batch.invocation_id,
            "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo"
        );
        assert_eq!(batch.job_id, "f3cc4f60-61f6-4a2b-8a21-d07600c373ce");
        assert!(batch.user_arguments.is_empty());
        assert_eq!(batch.tasks.len(), 3);
        assert_eq!(batch.tasks[0].task_id, "dGFza2lkZ29lc2hlcmUK");
        let first = batch.tasks[0].object.as_ref().unwrap();
        // Schema 1.0: documented as URL-encoded, so the decoded key comes first.
        assert_eq!(first.bucket, "logs");
        assert_eq!(first.key, "cache-bucket/a b+cé");
        assert_eq!(
            first.alternative_key.as_deref(),
            Some("cache-bucket/a+b%2Bc%C3%A9")
        );
        assert_eq!(first.version_id.as_deref(), Some("1"));
        assert_eq!(first.etag, None);
        let second = batch.tasks[1].object.as_ref().unwrap();
        assert_eq!(second.bucket, "logs");
        assert_eq!(second.key, "cache-bucket/plain");
        assert_eq!(second.alternative_key, None);
        assert_eq!(second.version_id, None);
        assert_eq!(batch.tasks[2].task_id, "t3");
        assert!(
            batch.tasks[2]
                .object
                .as_ref()
                .unwrap_err()
                .contains("no s3Key")
        );
    }

    #[test]
    fn batch_operations_schema_2_0() {
        let event = json!({
            "invocationSchemaVersion": "2.0",
            "invocationId": "inv-2",
            "job": {"id": "job-2", "userArguments": {"k1": "v1", "k2": "v2"}},
            "tasks": [
                {"taskId": "t1", "s3Key": "cache-bucket/a%20b", "s3VersionId": null,
                 "s3Bucket": "logs"},
                {"taskId": "t2", "s3Key": "cache-bucket/x", "s3VersionId": "null"},
            ]
        });
        let Invocation::S3Batch(batch) = parse(event).unwrap() else {
            panic!()
        };
        assert_eq!(batch.schema_version, "2.0");
        assert_eq!(batch.invocation_id, "inv-2");
        assert_eq!(batch.job_id, "job-2");
        assert_eq!(batch.user_arguments["k1"], "v1");
        assert_eq!(batch.user_arguments.len(), 2);
        let first = batch.tasks[0].object.as_ref().unwrap();
        // Schema 2.0: not documented either way, so the key is read as given first.
        assert_eq!(first.bucket, "logs");
        assert_eq!(first.key, "cache-bucket/a%20b");
        assert_eq!(first.alternative_key.as_deref(), Some("cache-bucket/a b"));
        assert_eq!(first.version_id, None);
        assert!(
            batch.tasks[1]
                .object
                .as_ref()
                .unwrap_err()
                .contains("no s3Bucket")
        );

        // Without a job, with no task: still an invocation (answered with no result).
        let Invocation::S3Batch(batch) = parse(json!({
            "invocationSchemaVersion": "2.0", "invocationId": "i", "tasks": []
        }))
        .unwrap() else {
            panic!()
        };
        assert!(batch.tasks.is_empty());
        assert_eq!(batch.job_id, "");
        // Without an invocation id: not one.
        assert!(
            parse(json!({"invocationSchemaVersion": "1.0", "tasks": []}))
                .unwrap_err()
                .contains("not an S3 Batch Operations invocation")
        );
    }

    #[test]
    fn batch_key_readings() {
        assert_eq!(batch_keys("1.0", "a/b.log"), ("a/b.log".into(), None));
        assert_eq!(batch_keys("2.0", "a/b.log"), ("a/b.log".into(), None));
        assert_eq!(
            batch_keys("1.0", "a+b%25"),
            ("a b%".into(), Some("a+b%25".into()))
        );
        assert_eq!(
            batch_keys("2.0", "a+b%25"),
            ("a+b%25".into(), Some("a b%".into()))
        );
        assert_eq!(bucket_of_arn("arn:aws:s3:::logs"), "logs");
        assert_eq!(
            bucket_of_arn("arn:aws-cn:s3:::logs.example"),
            "logs.example"
        );
        assert_eq!(
            bucket_of_arn("arn:aws:s3express:us-west-2:1:bucket/b--usw2-az1--x-s3"),
            "b--usw2-az1--x-s3"
        );
    }

    #[test]
    fn sqs_eventbridge_and_test_events() {
        let test = json!({"Service": "Amazon S3", "Event": "s3:TestEvent",
                          "Time": "2026-11-30T10:00:00.000Z", "Bucket": "logs",
                          "RequestId": "R", "HostId": "H"});
        assert_eq!(parse(test.clone()).unwrap(), Invocation::TestEvent);

        let body = json!({"Records": [s3_record("logs", "k+1", "ObjectCreated:Put")]});
        let sqs = json!({"Records": [
            {"messageId": "m1", "receiptHandle": "h", "body": body.to_string(),
             "attributes": {}, "messageAttributes": {}, "md5OfBody": "",
             "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:1:q",
             "awsRegion": "us-east-1"},
            {"messageId": "m2", "body": "not json", "eventSource": "aws:sqs"},
            {"messageId": "m3", "body": test.to_string(), "eventSource": "aws:sqs"},
        ]});
        let Invocation::Sqs(items) = parse(sqs).unwrap() else {
            panic!()
        };
        assert_eq!(items[0].message_id, "m1");
        assert_eq!(items[0].objects.as_ref().unwrap()[0].key, "k 1");
        assert!(items[1].objects.as_ref().unwrap_err().contains("not JSON"));
        assert_eq!(items[2].objects, Ok(Vec::new()));

        let eb = json!({"version": "0", "id": "e", "detail-type": "Object Created",
            "source": "aws.s3", "account": "1", "time": "2026-11-30T10:00:00Z",
            "region": "us-east-1", "resources": ["arn:aws:s3:::logs"],
            "detail": {"version": "0", "bucket": {"name": "logs"},
                       "object": {"key": "cache-bucket/a b+c", "size": 5, "etag": "e1",
                                  "version-id": "v9", "sequencer": "1"},
                       "request-id": "R", "requester": "1", "reason": "PutObject"}});
        let Invocation::EventBridge(object) = parse(eb).unwrap() else {
            panic!()
        };
        // Read as given; the decoded key is only an alternative (checked against the ETag).
        assert_eq!(object.key, "cache-bucket/a b+c");
        assert_eq!(
            object.alternative_key.as_deref(),
            Some("cache-bucket/a b c")
        );
        assert_eq!(object.version_id.as_deref(), Some("v9"));
        assert_eq!(object.etag.as_deref(), Some("e1"));

        let other = json!({"detail-type": "Object Deleted", "source": "aws.s3", "detail": {
            "bucket": {"name": "b"}, "object": {"key": "k"}}});
        assert_eq!(
            parse(other).unwrap(),
            Invocation::OtherEventBridge("Object Deleted".into())
        );
        assert!(
            parse(json!({"hello": 1}))
                .unwrap_err()
                .starts_with("unrecognised event")
        );
    }
}
