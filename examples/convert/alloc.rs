//! The converter's one allocator setting (glibc only): a fixed mmap threshold, kept because it
//! bounds peak memory by far more than it costs (see [`MMAP_THRESHOLD`] for the figures).

/// glibc's allocator serves large allocations from its heaps once a few have been freed (its
/// mmap threshold grows up to 32 MiB) and keeps what is freed there, per thread, so that
/// batches of several MB made and freed on several threads pile up. A fixed 256 KiB threshold
/// gives such blocks back to the system when they are freed.
///
/// Measured on 2026-12-07 (2 cores shared with other work, generated logs, peak RSS from
/// `/usr/bin/time -v`, wall time of three runs each, with → without):
///
/// | input                           | peak RSS               | wall time            |
/// |---------------------------------|------------------------|----------------------|
/// | S3, 1 GB, 2 threads             | 97–100 → 134–140 MiB   | 4.5–5.1 → 3.8–4.0 s  |
/// | S3, 1 GB, `--threads 1`         | 80–81 → 107–110 MiB    | 4.2–4.7 → 3.9–4.2 s  |
/// | S3, 1 GB, `--partition-by hour` | 122–124 → 268–291 MiB  | 4.4–5.2 → 3.4–4.4 s  |
/// | CloudFront standard, 300 MB     | 86–87 → 94–95 MiB      | the same, 0.6–1.3 s  |
///
/// Peak memory a quarter to a third lower, less than half with `--partition-by` (whose bounds
/// on open files and row groups were measured with it), for 5–25% more time (the kernel maps
/// and unmaps the blocks). A lower threshold for wide schemas (16 KiB beyond 48 columns, as the
/// converter once set) is not worth it: on 100 MB of a 256-column standard log, 81–83 instead
/// of 133 MiB, at 1.9–2.9 instead of 1.5–1.6 s.
const MMAP_THRESHOLD: usize = 256 * 1024;

/// Sets glibc's mmap threshold to [`MMAP_THRESHOLD`]: blocks of that size and more are mapped,
/// and given back to the system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn tune() {
    // SAFETY: mallopt only sets an allocator parameter (glibc takes its lock); it is called
    // first thing in main, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD as libc::c_int);
    }
}

/// Other allocators are left as they are.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune() {}
