#!/usr/bin/env bash
# Runs the fuzz targets one after another on a stable toolchain, then minimises each corpus
# into fuzz/corpus/<target>/. Usage (from the repo root):
#   fuzz/campaign.sh WORKDIR [SECONDS] [RUNS] [TARGET...]
# WORKDIR holds the growing corpora (WORKDIR/corpus/<t>) and logs (WORKDIR/<t>.log); seeds
# come from fuzz/corpus/<t> and, if present, WORKDIR/seeds/<t> (see fuzz/make_seeds.py).
# Each target stops after SECONDS (default 600) or RUNS executions (default 1000000),
# whichever comes first. Crashes land in fuzz/artifacts/<t>/.
set -u
work=${1:?workdir}; secs=${2:-600}; runs=${3:-1000000}; shift $(( $# < 3 ? $# : 3 ))
targets=${*:-decode html clean split tokenize jsonl config}
export RUSTC_BOOTSTRAP=1   # cargo-fuzz passes -Z flags; this lets stable rustc accept them
mkdir -p "$work"
for t in $targets; do
  mkdir -p "$work/corpus/$t"
  seeds=()
  [ -d "$work/seeds/$t" ] && seeds+=("$work/seeds/$t")
  [ -d "fuzz/corpus/$t" ] && seeds+=("fuzz/corpus/$t")
  echo "== $t $(date -Is)" >> "$work/campaign.log"
  nice -n 10 cargo fuzz run -s none "$t" "$work/corpus/$t" "${seeds[@]}" -- \
    -max_total_time="$secs" -runs="$runs" -timeout=10 -rss_limit_mb=4096 -max_len=16384 \
    -print_final_stats=1 > "$work/$t.log" 2>&1
  echo "rc=$? $(date -Is)" >> "$work/campaign.log"
  grep -E "^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)|.*DONE" "$work/$t.log" >> "$work/campaign.log"
  tail -n 3 "$work/$t.log" | head -n 2 >> "$work/campaign.log"
done
