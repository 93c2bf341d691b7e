//! The Parquet writer's memory stays bounded by the row-group byte limit whatever the number
//! of columns: a CloudFront standard log of 256 columns (the default maximum) of random values
//! is written with a counting allocator watching the heap.

#![cfg(feature = "parquet")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use aws_access_logs::ReaderBuilder;
use aws_access_logs::parquet::{ParquetOptions, ParquetWriter};

/// Counts the live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(live, Relaxed);
}

// SAFETY: every call is passed on to the system allocator unchanged; only counters are kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: `GlobalAlloc::alloc`'s caller guarantees a non-zero-sized `layout`, the one
        // requirement of `System.alloc`, to which it is passed unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: `dealloc`'s caller guarantees that `ptr` was allocated by this allocator with
        // `layout`; every allocation of this allocator is `System`'s (alloc and realloc pass
        // through), so `ptr` and `layout` are what `System.dealloc` requires.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            grew(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Relaxed);
        }
        // SAFETY: `realloc`'s caller guarantees that `ptr` came from this allocator with
        // `layout` (so from `System`, as above) and a non-zero `new_size` that does not overflow
        // `isize` when rounded to the alignment: `System.realloc`'s requirements.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The tests measure the one heap: one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A standard log of `columns` columns (date, time and random 16-digit hex values), about
/// `bytes` long.
fn wide_log(columns: usize, bytes: usize) -> Vec<u8> {
    let mut out = b"#Version: 1.0\n#Fields: date time".to_vec();
    for i in 2..columns {
        out.extend(format!(" x-col-{i}").as_bytes());
    }
    out.push(b'\n');
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut row = 0;
    while out.len() < bytes {
        out.extend(format!("2024-10-27\t03:{:02}:{:02}", row / 60 % 60, row % 60).as_bytes());
        for _ in 2..columns {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            out.extend(format!("\t{state:016x}").as_bytes());
        }
        out.push(b'\n');
        row += 1;
    }
    out
}

/// The most heap the writer held at once (beyond the batches, decoded beforehand) while
/// writing a 256-column log of random values with row groups of at most 4 MiB, in batches of
/// 2048 rows (9 MB each): 32 MB on one thread, 47 MB on two. It was 62 and 91 MB, in three
/// row groups instead of five: the dictionaries' hash tables and the pages' buffers were not
/// counted against the limit, the per-column page buffers were sized for a few dozen columns,
/// and the first writes of each row group went in unjudged whatever their size.
#[test]
fn the_parquet_writer_memory_is_bounded_with_256_columns() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let log = wide_log(256, 40 << 20);
    let reader = ReaderBuilder::auto()
        .with_batch_size(2048)
        .build(&log[..])
        .unwrap();
    let schema = reader.schema();
    assert_eq!(schema.fields().len(), 255); // date and time make one timestamp column
    let batches: Vec<_> = reader.map(Result::unwrap).collect();
    drop(log);
    let limit = 4 << 20;
    for threads in [1, 2] {
        let options = ParquetOptions::new()
            .with_max_row_group_bytes(limit)
            .with_threads(threads);
        let mut out = Vec::with_capacity(64 << 20);
        let base = LIVE.load(Relaxed);
        PEAK.store(base, Relaxed);
        let mut writer = ParquetWriter::try_new(
            &mut out,
            schema.clone(),
            aws_access_logs::Format::CloudFrontStandard,
            &options,
        )
        .unwrap();
        for batch in &batches {
            writer.write(batch).unwrap();
        }
        let groups = writer.finish(&Default::default()).unwrap();
        let held = PEAK.load(Relaxed) - base;
        assert!(groups >= 4, "{groups} row groups");
        // Each write of 1024 rows adds ~4.5 MB of Arrow data to 255 column writers, and a
        // finished row group is held until written out, so the bound is a multiple of a
        // limit this small.
        let bound = if threads == 1 { 10 * limit } else { 14 * limit };
        assert!(
            held <= bound,
            "{threads} threads: the writer held {} MB at once (limit {} MB), {groups} row groups",
            held >> 20,
            limit >> 20
        );
        drop(out);
    }
}

/// With the default limits, a batch of a 256-column log holds a share of the 32 MiB batch
/// byte limit (6 MiB of line bytes), so that its per-column buffers (offsets, null bitmaps,
/// spare capacity) do not multiply its memory with the column count: each batch's Arrow
/// memory stays under 16 MB (it was 60 MB, 32 MiB of lines in 7 400 rows).
#[test]
fn the_decoders_batches_are_bounded_with_256_columns() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let log = wide_log(256, 100 << 20);
    let reader = ReaderBuilder::auto().build(&log[..]).unwrap();
    let mut batches = 0;
    for batch in reader {
        let batch = batch.unwrap();
        let memory = batch.get_array_memory_size();
        assert!(
            memory <= 16 << 20,
            "a batch of {} rows holds {} MB",
            batch.num_rows(),
            memory >> 20
        );
        batches += 1;
    }
    assert!(batches >= 10, "{batches} batches");
}
