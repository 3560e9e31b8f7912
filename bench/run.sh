#!/usr/bin/env bash
# Mutual's benchmark harness: builds release, starts `mutual serve` on a temporary database,
# drives it with wrk on loopback and prints req/s and p50/p99 per endpoint next to the raw axum
# baseline (bench/baseline, GET /hello) and /healthz measured in the same run, as ratios, plus
# resident memory.
#
#   bench/run.sh                      # SQLite in a temporary folder
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test bench/run.sh   # PostgreSQL
#   BENCH_SECONDS=10 BENCH_CONNECTIONS=32 bench/run.sh
#   BENCH_ROUNDS=1 bench/run.sh       # one wrk run a row instead of the median of 3
#   BENCH_SERVER_LOG=/tmp/server.log bench/run.sh   # keep the server's log
#   BENCH_BASELINE_PORT=18090 bench/run.sh             # the raw axum baseline's port (PORT + 10)
#
# Needs wrk (Debian: apt-get install wrk) and curl. Later features add endpoints to ENDPOINTS.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_THREADS:-2}"
PORT="${BENCH_PORT:-18080}"
BASELINE_PORT="${BENCH_BASELINE_PORT:-$((PORT + 10))}"
BASE="http://127.0.0.1:$PORT"
PASSWORD="bench lantern harbour violet"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
. bench/baseline.sh
baseline_build

WORK="$(mktemp -d)"
DATABASE_URL="${BENCH_DATABASE_URL:-sqlite://$WORK/mutual.db}"
if [[ "$DATABASE_URL" == postgres* ]]; then
  # A fresh schema keeps runs apart and leaves the database's other contents alone.
  SCHEMA="mutual_bench_$(date +%s)"
  psql "$DATABASE_URL" -qc "CREATE SCHEMA $SCHEMA" >/dev/null
  SEP='?'; [[ "$DATABASE_URL" == *\?* ]] && SEP='&'
  DATABASE_URL="${DATABASE_URL}${SEP}options=-csearch_path%3D${SCHEMA}"
fi
# The benchmark registers many members and signs in 200 at once from one address: lift the
# per-address and per-account limits (every attempt counts until its password is checked).
cat >"$WORK/bench.toml" <<TOML
[app.throttle]
registrations_per_hour = 100000
account_failures = 1000000
client_failures = 1000000
TOML
MUTUAL_LOG=warn target/release/mutual serve --config "$WORK/bench.toml" --listen "127.0.0.1:$PORT" \
  --database-url "$DATABASE_URL" >"$WORK/server.log" 2>&1 &
SERVER=$!
cleanup() {
  baseline_stop
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  if [[ -n "${BENCH_SERVER_LOG:-}" ]]; then cp "$WORK/server.log" "$BENCH_SERVER_LOG"; fi
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
# The form's token is the cookie's, masked with a fresh pad on each page: read it from the form.
LOGIN_PAGE=$(curl -fs -D - "$BASE/login")
CSRF=$(sed -nE 's/^set-cookie: mutual_csrf=([^;]+).*/\1/ip' <<<"$LOGIN_PAGE" | tr -d '\r')
FORM_CSRF=$(sed -nE 's/.*name="csrf" value="([^"]+)".*/\1/p' <<<"$LOGIN_PAGE" | head -n 1)
SESSION=$(curl -fs -D - -o /dev/null -b "mutual_csrf=$CSRF" \
  --data-urlencode "username=bench_member" --data-urlencode "password=$PASSWORD" \
  --data-urlencode "csrf=$FORM_CSRF" "$BASE/login" | sed -nE 's/^set-cookie: mutual_session=([^;]+).*/\1/ip' | tr -d '\r')
[[ -n "$TOKEN" && -n "$SESSION" ]] || { echo "could not sign in; server log:" >&2; cat "$WORK/server.log" >&2; exit 1; }

# Many members for the check-in run, and one with two years of daily check-ins for trends.
MEMBERS="${BENCH_MEMBERS:-64}"
register_and_sign_in() {
  curl -fs -o /dev/null -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/accounts"
  curl -fs -H 'content-type: application/json' -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" \
    "$BASE/api/v1/sessions" | sed -E 's/.*"token":"([^"]+)".*/\1/'
}
TOKENS=()
for n in $(seq 1 "$MEMBERS"); do TOKENS+=("$(register_and_sign_in "bench_checker_$n")"); done
HISTORY_TOKEN=$(register_and_sign_in bench_history)
HISTORY_ID=$(curl -fs -H "Authorization: Bearer $HISTORY_TOKEN" "$BASE/api/v1/me" | sed -E 's/.*"id":"([^"]+)".*/\1/')
TODAY=$(date -u +%F)
seed_history() {
  # Two years of daily check-ins, written straight into the database (the API only takes the
  # last 7 days), with a clock started three years ago.
  if [[ "$DATABASE_URL" == postgres* ]]; then
    psql "$DATABASE_URL" -q <<SQL
INSERT INTO checkins (user_id, day, mood, craving, sleep_hours_tenths, sleep_quality, exercised,
  regular_meals, support_contact, pledged, triggers, trigger_note, gratitude, journal, created_at, updated_at)
SELECT '$HISTORY_ID'::uuid, to_char(current_date - n, 'YYYY-MM-DD'), 1 + n % 5, n % 11, 50 + n % 40, 1 + n % 5,
  n % 2 = 0, true, n % 3 = 0, false, 'stress', NULL, 'tea', 'a note about the day', 0, 0
FROM generate_series(1, 730) AS n;
SQL
  else
    python3 - "$WORK/mutual.db" "$HISTORY_ID" <<'PY'
import sqlite3, sys, uuid, datetime
db = sqlite3.connect(sys.argv[1], timeout=30)
user = uuid.UUID(sys.argv[2]).bytes
today = datetime.date.today()
rows = [(user, (today - datetime.timedelta(days=n)).isoformat(), 1 + n % 5, n % 11, 50 + n % 40, 1 + n % 5,
         n % 2 == 0, True, n % 3 == 0, False, "stress", None, "tea", "a note about the day", 0, 0) for n in range(1, 731)]
db.executemany("INSERT INTO checkins VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
db.commit()
PY
  fi
  curl -fs -o /dev/null -H "Authorization: Bearer $HISTORY_TOKEN" -H 'content-type: application/json' \
    -d "{\"label\":\"alcohol\",\"start_date\":\"$(date -u -d '3 years ago' +%F)\"}" "$BASE/api/v1/clocks"
}
seed_history
HISTORY_SESSION=$(curl -fs -D - -o /dev/null -b "mutual_csrf=$CSRF" \
  --data-urlencode "username=bench_history" --data-urlencode "password=$PASSWORD" \
  --data-urlencode "csrf=$FORM_CSRF" "$BASE/login" | sed -nE 's/^set-cookie: mutual_session=([^;]+).*/\1/ip' | tr -d '\r')

# Check-ins: every request is a different member's PUT for today (create, then replace).
{
  echo "tokens = {"
  for t in "${TOKENS[@]}"; do echo "  \"$t\","; done
  echo "}"
  cat <<LUA
local counter = 0
request = function()
  counter = counter + 1
  local token = tokens[(counter % #tokens) + 1]
  local body = string.format('{"mood":%d,"craving":%d,"sleep_hours":7.5,"sleep_quality":3,"triggers":["stress"],"gratitude":"the sun"}', 1 + counter % 5, counter % 11)
  return wrk.format("PUT", "/api/v1/checkins/$TODAY", { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
local reported = 0
response = function(status, headers, body)
  if status >= 300 and reported < 5 then
    reported = reported + 1
    io.stderr:write("check-in answered " .. status .. ": " .. string.sub(body, 1, 200) .. "\n")
  end
end
LUA
} >"$WORK/checkin.lua"

# name | path | extra wrk arguments
ENDPOINTS=(
  "healthz (baseline)|/healthz|"
  "GET /api/v1/me (bearer)|/api/v1/me|-H|Authorization: Bearer $TOKEN"
  "GET /dashboard (signed in)|/dashboard|-H|Cookie: mutual_session=$SESSION"
  "GET /help|/help|"
  "GET /trends?days=90 (2 years)|/trends?days=90|-H|Cookie: mutual_session=$HISTORY_SESSION"
  "GET /api/v1/trends?days=90|/api/v1/trends?days=90|-H|Authorization: Bearer $HISTORY_TOKEN"
  "GET /dashboard (2 years)|/dashboard|-H|Cookie: mutual_session=$HISTORY_SESSION"
  "PUT /api/v1/checkins ($MEMBERS members)|/|-c|$MEMBERS|-s|$WORK/checkin.lua"
)

# measure PATH [wrk options...]: prints "req/s p50_ms p99_ms" for one wrk run.
measure() { local path="$1"; shift; bench_wrk "$BASE$path" "$@"; }

echo
echo "Mutual benchmark — $(date -u +%Y-%m-%d), database: ${DATABASE_URL%%:*}, wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s, $(nproc) cores"
bench_header 34 endpoint
# Each endpoint is measured in pairs of runs with the raw axum baseline (same wrk settings), and
# its ratio is that of the median pair.
baseline_start "$BASELINE_PORT"
for entry in "${ENDPOINTS[@]}"; do
  IFS='|' read -r -a parts <<<"$entry"
  name="${parts[0]}"; path="${parts[1]}"; extra=("${parts[@]:2}")
  [[ ${#extra[@]} -eq 1 && -z "${extra[0]}" ]] && extra=()
  read -r rps p50 p99 RAW_RPS < <(bench_paired "$BASE$path" "${extra[@]}")
  if [[ -z "$HEALTHZ_RPS" ]]; then
    HEALTHZ_RPS="$rps"
    bench_row 34 "raw axum GET /hello (limit)" "$RAW_RPS" "-" "-"
  fi
  bench_row 34 "$name" "$rps" "$p50" "$p99"
done
baseline_stop

# A burst of 200 concurrent logins: Argon2id at 19 MiB each, bounded by the hasher's permits.
cat >"$WORK/login.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"username":"bench_member","password":"$PASSWORD"}'
wrk.headers["Content-Type"] = "application/json"
LUA
read -r login_rps login_p50 login_p99 < <(measure /api/v1/sessions -c200 -d5s -s "$WORK/login.lua")
printf '%-34s %10s %9s %9s\n' "POST /api/v1/sessions x200" "$login_rps" "$login_p50" "$login_p99"
PEAK=$(peak_kib)
sleep 12  # hashing threads leave the blocking pool after 10 idle seconds
SETTLED=$(rss_kib)
echo
echo "resident memory, idle after start:        $((IDLE_RSS / 1024)) MiB (target < 30 MiB)"
echo "resident memory, peak over all runs:      $((PEAK / 1024)) MiB (target < 1024 MiB with 200 concurrent logins)"
echo "resident memory, idle again 12 s later:   $((SETTLED / 1024)) MiB"
