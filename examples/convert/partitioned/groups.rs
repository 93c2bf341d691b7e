//! Which partitions' row groups end at each checkpoint, decided from the input's rows alone.

use std::collections::BTreeMap;

use aws_access_logs::partition::Partition;

/// Most partitions with a row group in progress after a checkpoint: beyond, those of fewest
/// rows are ended too. Each holds up to a row group (32 MiB of encoded rows by default) and
/// its pages being filled, so that memory stays that of a few conversions whatever the order
/// of the rows (a log of several interleaved sources).
const ROW_GROUPS_IN_PROGRESS: usize = 4;

/// Which partitions have a row group in progress, followed for every partition of the input
/// (written at this pass or not), from the input's rows alone, so that the row groups are
/// ended at the same rows whichever pass writes a partition.
#[derive(Default)]
pub struct Groups {
    /// Per partition with a row group in progress: its rows since, and the last interval
    /// between checkpoints in which it had rows.
    open: BTreeMap<Partition, (u64, u64)>,
    /// Checkpoints so far.
    interval: u64,
}

impl Groups {
    pub fn add(&mut self, partition: Partition, rows: usize) {
        let group = self.open.entry(partition).or_default();
        group.0 += rows as u64;
        group.1 = self.interval;
    }

    /// The partitions whose row groups end at this checkpoint: those without rows since the
    /// last one, then, beyond [`ROW_GROUPS_IN_PROGRESS`], those of fewest rows.
    pub fn checkpoint(&mut self) -> Vec<Partition> {
        let interval = self.interval;
        self.interval += 1;
        let mut ended: Vec<Partition> = Vec::new();
        self.open.retain(|partition, &mut (_, last)| {
            let idle = last < interval;
            if idle {
                ended.push(*partition);
            }
            !idle
        });
        if self.open.len() > ROW_GROUPS_IN_PROGRESS {
            let mut by_rows: Vec<(u64, Partition)> =
                self.open.iter().map(|(p, &(rows, _))| (rows, *p)).collect();
            by_rows.sort();
            let beyond = by_rows.len() - ROW_GROUPS_IN_PROGRESS;
            for &(_, partition) in &by_rows[..beyond] {
                self.open.remove(&partition);
                ended.push(partition);
            }
        }
        ended
    }
}
