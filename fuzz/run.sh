#!/usr/bin/env bash
# Builds every fuzz target and runs each on its seed corpus (built from fixtures/) plus the
# regression inputs in fuzz/regressions/<target>/, for SECONDS seconds each (default 30).
# A crash, a hang (-timeout) or runaway memory (-rss_limit_mb) fails the run.
#
#   bash fuzz/run.sh            # 30 s per target (CI runs `bash fuzz/run.sh 15`)
#   bash fuzz/run.sh 600        # a 10-minute session per target
#   bash fuzz/run.sh 600 reader # one target
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-30}
shift || true
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo +nightly install cargo-fuzz --locked --version 0.13.2
fi
python3 seeds.py
cargo +nightly fuzz build
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
for target in "${targets[@]}"; do
    dirs=("corpus/$target")
    if [ -d "regressions/$target" ]; then
        dirs+=("regressions/$target")
    fi
    echo "--- $target: ${seconds}s"
    cargo +nightly fuzz run "$target" "${dirs[@]}" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
done
