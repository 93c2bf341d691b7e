//! The allocator tuning of the converter (glibc only): see [`MMAP_THRESHOLD`].

/// glibc's allocator serves large allocations from its heaps once a few have been freed (its
/// mmap threshold grows up to 32 MiB) and keeps what is freed there, per thread: with batches of
/// several MB made on several threads, peak RSS grew by 40-50 MB over what is live. A fixed
/// 256 KiB threshold gives such blocks back to the system when they are freed.
const MMAP_THRESHOLD: usize = 256 * 1024;

/// Schemas of more columns than this get [`WIDE_MMAP_THRESHOLD`] (the library's batch and
/// row-group byte limits are shared out beyond the same width).
const WIDE_SCHEMA: usize = 48;

/// Each column of a batch or of a Parquet row group has buffers of its own: beyond 48
/// columns, they fall under [`MMAP_THRESHOLD`], and glibc kept what was freed of them,
/// scattered between live blocks, on each thread's heap: a CloudFront standard log of 256
/// columns of random values peaked at 175 MB of RSS on two threads for ~95 MB of live heap.
/// From the first input of such a schema on, blocks from 16 KiB are mapped (and unmapped when
/// freed): 79 MB on one thread, 96 MB on two, at twice the time of a conversion of such input
/// (mapping and unmapping); inputs of fewer columns (S3, real-time) keep the faster 256 KiB.
const WIDE_MMAP_THRESHOLD: usize = 16 * 1024;

/// Sets glibc's mmap threshold: blocks of `bytes` and more are mapped, and given back to the
/// system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn set_mmap_threshold(bytes: usize) {
    // SAFETY: mallopt only sets an allocator parameter (glibc takes its lock); it may run
    // while other threads allocate.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, bytes as libc::c_int);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn set_mmap_threshold(_bytes: usize) {}

/// Sets the mmap threshold for the run.
pub fn tune() {
    set_mmap_threshold(MMAP_THRESHOLD);
}

/// Lowers the mmap threshold from the first input of more than [`WIDE_SCHEMA`] columns on.
pub fn schema_width(columns: usize) {
    if columns > WIDE_SCHEMA {
        set_mmap_threshold(WIDE_MMAP_THRESHOLD);
    }
}
