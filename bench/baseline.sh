# Shared by the bench scripts (sourced, not run): the raw axum baseline of bench/baseline (a
# hello-JSON server with the product's axum, allocator and release profile, outside its crates),
# measuring with wrk, and the table rows with their ratios to raw axum and to /healthz.
#
#   . bench/baseline.sh
#   baseline_build                          # once, early: compiles bench/baseline if needed
#   baseline_start PORT                     # builds, starts it on 127.0.0.1:PORT, waits for it
#   read -r RAW_RPS RAW_P50 RAW_P99 < <(bench_wrk "$BASELINE_URL")
#   read -r rps p50 p99 RAW_RPS < <(bench_paired "$BASE/path")   # raw measured beside it
#   baseline_stop                           # also call it from the script's cleanup trap
#   read -r HEALTHZ_RPS p50 p99 < <(bench_wrk "$BASE/healthz")
#   bench_header 40 endpoint
#   bench_row 40 "raw axum GET /hello (limit)" "$RAW_RPS" "$RAW_P50" "$RAW_P99"
#
# bench_wrk reads SECONDS_PER_RUN, THREADS, CONNECTIONS and BENCH_ROUNDS; bench_row reads RAW_RPS and
# HEALTHZ_RPS. Works under set -euo pipefail.

BENCH_BASELINE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/baseline"
BASELINE_PID=""
BASELINE_URL=""
RAW_RPS=""
HEALTHZ_RPS=""

baseline_build() {
  cargo build --release --quiet --manifest-path "$BENCH_BASELINE_DIR/Cargo.toml" \
    --target-dir "$BENCH_BASELINE_DIR/target"
}

# baseline_start PORT: sets BASELINE_PID and BASELINE_URL (its GET /hello).
baseline_start() {
  local port="$1"
  baseline_build
  "$BENCH_BASELINE_DIR/target/release/mutual-bench-baseline" "127.0.0.1:$port" >/dev/null &
  BASELINE_PID=$!
  BASELINE_URL="http://127.0.0.1:$port/hello"
  for _ in $(seq 1 100); do
    if curl -fs -o /dev/null "$BASELINE_URL"; then return 0; fi
    kill -0 "$BASELINE_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "the raw axum baseline did not answer on 127.0.0.1:$port" >&2
  baseline_stop
  return 1
}

baseline_stop() {
  if [[ -n "$BASELINE_PID" ]]; then
    kill "$BASELINE_PID" 2>/dev/null || true
    wait "$BASELINE_PID" 2>/dev/null || true
    BASELINE_PID=""
  fi
}

bench_to_ms() { awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'; }

# bench_wrk URL [wrk options...]: prints "req/s p50_ms p99_ms" of -t$THREADS -c$CONNECTIONS
# -d${SECONDS_PER_RUN}s, options given winning over those: the median run (by req/s) of
# BENCH_ROUNDS runs (3 unless set), so that one run disturbed by the machine's other work does
# not decide a ratio.
bench_wrk() {
  local url="$1" rounds="${BENCH_ROUNDS:-3}" runs=() run
  shift
  for ((round = 0; round < rounds; round++)); do
    run=$(bench_wrk_once "$url" "$@")
    runs+=("$run")
  done
  printf '%s\n' "${runs[@]}" | sort -n -k1,1 | sed -n "$(((rounds + 1) / 2))p"
}

# bench_paired URL [wrk options...]: BENCH_ROUNDS pairs of runs, the raw baseline (started with
# baseline_start and still running) and then URL; prints "req/s p50_ms p99_ms raw_req/s" of the
# pair whose ratio is the median, so that the machine's drift during a run moves both sides of
# a ratio alike.
bench_paired() {
  local url="$1" rounds="${BENCH_ROUNDS:-3}" pairs=() raw run
  shift
  for ((round = 0; round < rounds; round++)); do
    raw=$(bench_wrk_once "$BASELINE_URL")
    run=$(bench_wrk_once "$url" "$@")
    pairs+=("$(awk -v r="$run" -v b="$raw" 'BEGIN { split(r, x, " "); split(b, y, " "); printf "%.6f %s %s", x[1] / y[1], r, y[1] }')")
  done
  printf '%s\n' "${pairs[@]}" | sort -n -k1,1 | sed -n "$(((rounds + 1) / 2))p" | cut -d' ' -f2-
}

bench_wrk_once() {
  local url="$1" out non2xx
  shift
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "$@" "$url")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  if [[ -n "$non2xx" ]]; then echo "warning: /${url#*://*/} answered $non2xx non-2xx responses" >&2; fi
  echo "$(awk '/^Requests\/sec/ {print $2}' <<<"$out") $(bench_to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")") $(bench_to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")"
}

# bench_ratio A B: "A/B" as "0.45x", or "-" without a B.
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2fx", a / b; else printf "-" }'; }

# bench_header WIDTH FIRST_COLUMN, then bench_row WIDTH NAME RPS P50 P99 per endpoint (with its
# ratios to RAW_RPS and HEALTHZ_RPS), or bench_row_unrated for a row without ratios.
bench_header() {
  printf "%-${1}s %10s %9s %9s %12s %12s\n" "$2" "req/s" "p50 ms" "p99 ms" "vs raw axum" "vs /healthz"
}
bench_row() {
  printf "%-${1}s %10s %9s %9s %12s %12s\n" "$2" "$3" "$4" "$5" \
    "$(bench_ratio "$3" "$RAW_RPS")" "$(bench_ratio "$3" "$HEALTHZ_RPS")"
}
bench_row_unrated() { printf "%-${1}s %10s %9s %9s %12s %12s\n" "$2" "$3" "$4" "$5" "-" "-"; }
