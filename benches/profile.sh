#!/usr/bin/env bash
# Where the time goes, in instructions: one pass of each pipeline stage over the ~32 MB
# generated log of each format (the same data as `cargo bench --bench pipeline`), counted by
# callgrind inside the stage only (the log's generation is not counted). Instruction counts do
# not depend on the machine's load, unlike timings; they do not show memory stalls either.
#
#   bash benches/profile.sh            # every format and stage (3 to 4 minutes per format)
#   bash benches/profile.sh s3 to_arrow   # one format, one stage, with its top functions
#   bash benches/profile.sh alb        # one format, every stage
#
# Needs valgrind (Debian: apt-get install valgrind). Output files stay in target/profile/.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || {
    echo "valgrind not found (Debian: apt-get install valgrind)" >&2
    exit 1
}
bin=$(cargo bench --bench pipeline --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "pipeline" and m.get("executable"):
        print(m["executable"])')
out=target/profile
mkdir -p "$out"

# Instructions of one pass of a stage (the bench binary in one-pass mode, counting inside
# `run_stage` only).
count() {
    local file="$out/$1.$2.callgrind"
    PIPELINE_ONE_PASS="$1:$2" valgrind --tool=callgrind --toggle-collect='*run_stage*' \
        --callgrind-out-file="$file" "$bin" 2>&1 >/dev/null |
        awk '/refs:/ { gsub(",", "", $4); print $4 }'
}

formats=(s3 cloudfront_realtime cloudfront_standard alb nlb clb alb_connection)
stages=(tokenize_only to_arrow to_arrow_string_view to_arrow_string_view_from_buffer to_parquet to_parquet_from_buffer)
top=0
if [ $# -ge 2 ]; then
    formats=("$1")
    stages=("$2")
    top=12
elif [ $# -eq 1 ]; then
    formats=("$1")
fi

printf '%-20s %-22s %12s %12s\n' format stage "instructions" "per byte"
for format in "${formats[@]}"; do
    bytes=$(PIPELINE_ONE_PASS="$format:tokenize_only" "$bin" | awk '{ print $1 }')
    for stage in "${stages[@]}"; do
        total=$(count "$format" "$stage")
        python3 -c "print('%-20s %-22s %11.0fM %12.2f' % ('$format', '$stage', $total / 1e6, $total / $bytes))"
        if [ "$top" -gt 0 ]; then
            callgrind_annotate "$out/$format.$stage.callgrind" 2>/dev/null |
                grep -E '^ *[0-9,]+ ' | grep -v 'PROGRAM TOTALS' | head -n "$top" |
                sed -E 's/ \[[^]]*\]$//'
        fi
    done
done
