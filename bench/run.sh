#!/usr/bin/env bash
# Mutual's benchmark harness: builds release, starts `mutual serve` on a temporary database,
# drives it with wrk on loopback and prints req/s and p50/p99 per endpoint next to the
# /healthz baseline measured in the same run, as ratios, plus resident memory.
#
#   bench/run.sh                      # SQLite in a temporary folder
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test bench/run.sh   # PostgreSQL
#   BENCH_SECONDS=10 BENCH_CONNECTIONS=32 bench/run.sh
#
# Needs wrk (Debian: apt-get install wrk) and curl. Later features add endpoints to ENDPOINTS.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_THREADS:-2}"
PORT="${BENCH_PORT:-18080}"
BASE="http://127.0.0.1:$PORT"
PASSWORD="bench lantern harbour violet"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet

WORK="$(mktemp -d)"
DATABASE_URL="${BENCH_DATABASE_URL:-sqlite://$WORK/mutual.db}"
if [[ "$DATABASE_URL" == postgres* ]]; then
  # A fresh schema keeps runs apart and leaves the database's other contents alone.
  SCHEMA="mutual_bench_$(date +%s)"
  psql "$DATABASE_URL" -qc "CREATE SCHEMA $SCHEMA" >/dev/null
  SEP='?'; [[ "$DATABASE_URL" == *\?* ]] && SEP='&'
  DATABASE_URL="${DATABASE_URL}${SEP}options=-csearch_path%3D${SCHEMA}"
fi
MUTUAL_LOG=warn target/release/mutual serve --listen "127.0.0.1:$PORT" --database-url "$DATABASE_URL" \
  >"$WORK/server.log" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  if [[ -n "${SCHEMA:-}" ]]; then psql "${BENCH_DATABASE_URL}" -qc "SET client_min_messages = warning; DROP SCHEMA $SCHEMA CASCADE" >/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.1; done

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER/status"; }
peak_kib() { awk '/^VmHWM/ {print $2}' "/proc/$SERVER/status"; }
for _ in $(seq 1 20); do curl -fs -o /dev/null "$BASE/help"; done
sleep 1
IDLE_RSS=$(rss_kib)

# A member, an API token and a browser session cookie.
curl -fs -o /dev/null -H 'content-type: application/json' \
  -d "{\"username\":\"bench_member\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/accounts"
TOKEN=$(curl -fs -H 'content-type: application/json' \
  -d "{\"username\":\"bench_member\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/sessions" |
  sed -E 's/.*"token":"([^"]+)".*/\1/')
CSRF=$(curl -fs -D - -o /dev/null "$BASE/login" | sed -nE 's/^set-cookie: mutual_csrf=([^;]+).*/\1/ip' | tr -d '\r')
SESSION=$(curl -fs -D - -o /dev/null -b "mutual_csrf=$CSRF" \
  --data-urlencode "username=bench_member" --data-urlencode "password=$PASSWORD" \
  --data-urlencode "csrf=$CSRF" "$BASE/login" | sed -nE 's/^set-cookie: mutual_session=([^;]+).*/\1/ip' | tr -d '\r')
[[ -n "$TOKEN" && -n "$SESSION" ]] || { echo "could not sign in; server log:" >&2; cat "$WORK/server.log" >&2; exit 1; }

# name | path | extra wrk arguments
ENDPOINTS=(
  "healthz (baseline)|/healthz|"
  "GET /api/v1/me (bearer)|/api/v1/me|-H|Authorization: Bearer $TOKEN"
  "GET /dashboard (signed in)|/dashboard|-H|Cookie: mutual_session=$SESSION"
  "GET /help|/help|"
)

# Prints "req/s p50_ms p99_ms" for one wrk run.
measure() {
  local path="$1"; shift
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "$@" "$BASE$path")
  local rps p50 p99
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  local non2xx
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  if [[ -n "$non2xx" ]]; then echo "warning: $path answered $non2xx non-2xx responses" >&2; fi
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}
to_ms() { awk -v v="$1" 'BEGIN { n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /ms$/) n=n; else if (v ~ /s$/) n*=1000; printf "%.2f", n }'; }

echo
echo "Mutual benchmark — $(date -u +%Y-%m-%d), database: ${DATABASE_URL%%:*}, wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s, $(nproc) cores"
printf '%-28s %10s %9s %9s %8s\n' endpoint "req/s" "p50 ms" "p99 ms" "ratio"
BASELINE=""
for entry in "${ENDPOINTS[@]}"; do
  IFS='|' read -r -a parts <<<"$entry"
  name="${parts[0]}"; path="${parts[1]}"; extra=("${parts[@]:2}")
  [[ ${#extra[@]} -eq 1 && -z "${extra[0]}" ]] && extra=()
  read -r rps p50 p99 < <(measure "$path" "${extra[@]}")
  [[ -z "$BASELINE" ]] && BASELINE="$rps"
  ratio=$(awk -v a="$rps" -v b="$BASELINE" 'BEGIN { printf "%.2f", a/b }')
  printf '%-28s %10s %9s %9s %7sx\n' "$name" "$rps" "$p50" "$p99" "$ratio"
done

# A burst of 200 concurrent logins: Argon2id at 19 MiB each, bounded by the hasher's permits.
cat >"$WORK/login.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"username":"bench_member","password":"$PASSWORD"}'
wrk.headers["Content-Type"] = "application/json"
LUA
read -r login_rps login_p50 login_p99 < <(measure /api/v1/sessions -c200 -d5s -s "$WORK/login.lua")
printf '%-28s %10s %9s %9s\n' "POST /api/v1/sessions x200" "$login_rps" "$login_p50" "$login_p99"
PEAK=$(peak_kib)
sleep 12  # hashing threads leave the blocking pool after 10 idle seconds
SETTLED=$(rss_kib)
echo
echo "resident memory, idle after start:        $((IDLE_RSS / 1024)) MiB (target < 30 MiB)"
echo "resident memory, peak over all runs:      $((PEAK / 1024)) MiB (target < 1024 MiB with 200 concurrent logins)"
echo "resident memory, idle again 12 s later:   $((SETTLED / 1024)) MiB"
