//! Heap held while converting objects whose records fall in many partitions, measured with a
//! counting allocator over the in-memory store (`--ignored`; run in release:
//! `cargo test --release -p aws-access-logs-lambda --test memory -- --ignored --nocapture`).
//! The store's own objects are counted too: the figures are the peak minus the heap before.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_access_logs_lambda::{Config, Handler, MemoryStore};
use serde_json::Value;
use support::*;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; only counters are kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: `GlobalAlloc::alloc`'s caller guarantees a non-zero-sized `layout`, the one
        // requirement of `System.alloc`, to which it is passed unchanged.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `dealloc`'s caller guarantees that `ptr` was allocated by this allocator with
        // `layout`, that is by `System.alloc` (realloc is `GlobalAlloc`'s default, which
        // allocates and deallocates through these two): what `System.dealloc` requires.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Converts `log` under `key` with `config`; returns the peak heap above the heap before (MB)
/// and the metrics line.
async fn peak_heap(config: Config, key: &str, log: Vec<u8>) -> (f64, Value) {
    let store = MemoryStore::new();
    let metrics = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&metrics);
    let handler = Handler::with_emit(
        store.clone(),
        config,
        Arc::new(move |line: &str| sink.lock().unwrap().push(line.to_string())),
    );
    store.insert("logs", key, log);
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    handler
        .handle(s3_event(vec![s3_record("logs", key, 1)]))
        .await
        .unwrap();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let stored: usize = store
        .keys("out")
        .iter()
        .map(|k| store.object("out", k).unwrap().len())
        .sum();
    let m: Value = serde_json::from_str(&metrics.lock().unwrap()[0]).unwrap();
    ((peak - stored) as f64 / 1e6, m)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run in release with --nocapture"]
async fn heap_with_48_hours() {
    // 75,000 lines over 48 hours, interleaved.
    let first = 1_764_460_800_000_i64;
    let times: Vec<i64> = (0..75_000_i64)
        .map(|i| first + (i % 48) * 3_600_000 + (i / 48) % 3600 * 1000)
        .collect();
    let log = s3_access_lines_at(&times);
    println!("log: {:.1} MB", log.len() as f64 / 1e6);
    for open in [1, 4, 8, 16, 48] {
        let mut c = config(&[]);
        c.max_open_partitions = open;
        let (mb, m) = peak_heap(c, "cache-bucket/48h", log.clone()).await;
        println!(
            "open {open}: heap {mb:.1} MB above the store, {} files, {} passes, {:.0} ms",
            m["parquet_files"], m["passes"], m["duration_ms"]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run in release with --nocapture"]
async fn heap_with_many_partitions() {
    // 5,000 hours between 2012 and 2025, 15 lines each, shuffled.
    let mut times = Vec::new();
    let first = 1_325_376_000_000_i64; // 2012-01-01
    let mut x: u64 = 7;
    for _ in 0..75_000 {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let hour = ((x >> 33) % 5000) as i64 * 26; // spread over ~14.8 years
        times.push(first + hour * 3_600_000 + ((x >> 13) % 3600) as i64 * 1000);
    }
    let log = s3_access_lines_at(&times);
    println!("log: {:.1} MB", log.len() as f64 / 1e6);
    let one_hour: Vec<i64> = times.iter().map(|t| first + t % 3_600_000).collect();
    let (mb, m) = peak_heap(
        config(&[]),
        "cache-bucket/1h",
        s3_access_lines_at(&one_hour),
    )
    .await;
    println!(
        "one hour: heap {mb:.1} MB above the store, {} files",
        m["parquet_files"]
    );
    type Change = Box<dyn Fn(&mut Config)>;
    let variants: Vec<(&str, Change)> = vec![
        ("default", Box::new(|_| {})),
        ("held tails 0", Box::new(|c| c.held_tail_bytes = 0)),
        ("open 16", Box::new(|c| c.max_open_partitions = 16)),
    ];
    for (name, change) in variants {
        let mut c = config(&[]);
        change(&mut c);
        let (mb, m) = peak_heap(c, "cache-bucket/5000h", log.clone()).await;
        println!(
            "{name}: heap {mb:.1} MB above the store, {} files, {} passes, {:.0} ms",
            m["parquet_files"], m["passes"], m["duration_ms"]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run in release with --nocapture"]
async fn heap_read_whole_or_streamed() {
    // Plain access logs in one hour (one file), and over 48 hours (interleaved: held rows and
    // several passes). The memory store hands a body read whole out without a copy: add the
    // object's size for one downloaded from S3.
    let first = 1_764_460_800_000_i64;
    let spread: Vec<i64> = (0..75_000_i64)
        .map(|i| first + (i % 48) * 3_600_000 + (i / 48) % 3600 * 1000)
        .collect();
    let objects = [
        ("10 MB, one hour", s3_access_lines(30_000)),
        ("32 MiB, one hour", s3_access_lines(100_000)),
        ("48 hours", s3_access_lines_at(&spread)),
    ];
    for (name, log) in objects {
        for in_memory in [0, u64::MAX] {
            let mut c = config(&[]);
            c.in_memory_object_bytes = in_memory;
            let (mb, m) = peak_heap(c, "cache-bucket/log", log.clone()).await;
            println!(
                "{name} ({:.1} MB), {}: heap {mb:.1} MB above the store, {} files, {} passes, \
                 {:.0} ms",
                log.len() as f64 / 1e6,
                if in_memory == 0 { "streamed" } else { "whole" },
                m["parquet_files"],
                m["passes"],
                m["duration_ms"]
            );
        }
    }
}
