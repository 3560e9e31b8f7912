#!/usr/bin/env bash
# The meeting directory benchmark: a Meeting Guide feed of 100,000 meetings spread over 160
# towns in 40 metropolitan areas (12 time zones), a quarter of them on several days, imported
# with `mutual import meeting-guide` (timed, with its peak memory; and a 50,000-row feed into an
# empty database), then served: a combined search (distance <= 25 km + weekday + time window +
# two type codes, 50 results) and the opening /meetings page under wrk next to the raw axum
# baseline (bench/baseline, GET /hello) and /healthz of the same run (ratios), and the whole
# one-row-a-day /meetings.json feed downloaded (timed, with the server's resident memory sampled
# meanwhile). Last, the same feed synced as a source (`mutual sync`), then again with 1% of its
# meetings changed: timed, and the rows written counted (only the changed ones should be).
#
#   bench/meetings.sh                                  # SQLite in a temporary folder
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test bench/meetings.sh
#   BENCH_MEETINGS=100000 BENCH_SECONDS=10 bench/meetings.sh
#   BENCH_BASELINE_PORT=18091 bench/meetings.sh        # the raw axum baseline's port (PORT + 10)
#
# Needs wrk, curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_THREADS:-2}"
PORT="${BENCH_PORT:-18081}"
BASELINE_PORT="${BENCH_BASELINE_PORT:-$((PORT + 10))}"
MEETINGS="${BENCH_MEETINGS:-100000}"
BASE="http://127.0.0.1:$PORT"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
. bench/baseline.sh
baseline_build

WORK="$(mktemp -d)"
DATABASE_URL="${BENCH_DATABASE_URL:-sqlite://$WORK/mutual.db}"
if [[ "$DATABASE_URL" == postgres* ]]; then
  SCHEMA="mutual_bench_$(date +%s)"
  psql "$DATABASE_URL" -qc "CREATE SCHEMA $SCHEMA" >/dev/null
  SEP='?'; [[ "$DATABASE_URL" == *\?* ]] && SEP='&'
  DATABASE_URL="${DATABASE_URL}${SEP}options=-csearch_path%3D${SCHEMA}"
fi
SERVER=""
SOURCE_SERVER=""
cleanup() {
  baseline_stop
  if [[ -n "$SERVER" ]]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  if [[ -n "$SOURCE_SERVER" ]]; then kill "$SOURCE_SERVER" 2>/dev/null || true; fi
  if [[ -n "${SCHEMA:-}" ]]; then psql "${BENCH_DATABASE_URL}" -qc "SET client_min_messages = warning; DROP SCHEMA $SCHEMA CASCADE" >/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The feed: every meeting weekly, in its town's zone, with realistic times and type codes.
python3 - "$WORK/feed.json" "$MEETINGS" <<'PY'
import json, random, sys
random.seed(7)
metros = [
    ("Chicago", 41.8781, -87.6298, "America/Chicago"), ("New York", 40.7128, -74.0060, "America/New_York"),
    ("Los Angeles", 34.0522, -118.2437, "America/Los_Angeles"), ("Houston", 29.7604, -95.3698, "America/Chicago"),
    ("Phoenix", 33.4484, -112.0740, "America/Phoenix"), ("Philadelphia", 39.9526, -75.1652, "America/New_York"),
    ("San Antonio", 29.4241, -98.4936, "America/Chicago"), ("San Diego", 32.7157, -117.1611, "America/Los_Angeles"),
    ("Dallas", 32.7767, -96.7970, "America/Chicago"), ("Denver", 39.7392, -104.9903, "America/Denver"),
    ("Seattle", 47.6062, -122.3321, "America/Los_Angeles"), ("Boston", 42.3601, -71.0589, "America/New_York"),
    ("Atlanta", 33.7490, -84.3880, "America/New_York"), ("Miami", 25.7617, -80.1918, "America/New_York"),
    ("Minneapolis", 44.9778, -93.2650, "America/Chicago"), ("Detroit", 42.3314, -83.0458, "America/Detroit"),
    ("Toronto", 43.6532, -79.3832, "America/Toronto"), ("Montreal", 45.5017, -73.5673, "America/Toronto"),
    ("Vancouver", 49.2827, -123.1207, "America/Vancouver"), ("Mexico City", 19.4326, -99.1332, "America/Mexico_City"),
    ("London", 51.5074, -0.1278, "Europe/London"), ("Manchester", 53.4808, -2.2426, "Europe/London"),
    ("Birmingham", 52.4862, -1.8904, "Europe/London"), ("Glasgow", 55.8642, -4.2518, "Europe/London"),
    ("Dublin", 53.3498, -6.2603, "Europe/Dublin"), ("Paris", 48.8566, 2.3522, "Europe/Paris"),
    ("Berlin", 52.5200, 13.4050, "Europe/Berlin"), ("Hamburg", 53.5511, 9.9937, "Europe/Berlin"),
    ("Madrid", 40.4168, -3.7038, "Europe/Madrid"), ("Barcelona", 41.3874, 2.1686, "Europe/Madrid"),
    ("Amsterdam", 52.3676, 4.9041, "Europe/Amsterdam"), ("Stockholm", 59.3293, 18.0686, "Europe/Stockholm"),
    ("Rome", 41.9028, 12.4964, "Europe/Rome"), ("Warsaw", 52.2297, 21.0122, "Europe/Warsaw"),
    ("Sydney", -33.8688, 151.2093, "Australia/Sydney"), ("Melbourne", -37.8136, 144.9631, "Australia/Melbourne"),
    ("Brisbane", -27.4698, 153.0251, "Australia/Brisbane"), ("Auckland", -36.8485, 174.7633, "Pacific/Auckland"),
    ("Johannesburg", -26.2041, 28.0473, "Africa/Johannesburg"), ("Sao Paulo", -23.5505, -46.6333, "America/Sao_Paulo"),
]
towns = []
for name, lat, lng, zone in metros:
    towns.append((name, lat, lng, zone, 4.0))
    for k in range(3):
        towns.append((f"{name} outskirts {k + 1}", lat + random.uniform(-0.8, 0.8), lng + random.uniform(-0.8, 0.8), zone, 1.0))
weights = [t[4] for t in towns]
times = ["06:30", "07:00", "07:30", "08:00", "09:00", "10:00", "12:00", "12:15", "13:00", "17:30", "18:00", "18:30",
         "19:00", "19:00", "19:30", "19:30", "20:00", "20:00", "20:30", "21:00"]
codes = [("O", .5), ("C", .4), ("D", .6), ("SP", .2), ("B", .15), ("ST", .1), ("BE", .1), ("W", .07), ("M", .07),
         ("Y", .05), ("LGBTQ", .04), ("X", .3), ("MED", .05), ("LIT", .1), ("S", .05)]
rows = []
for n in range(int(sys.argv[2])):
    name, lat, lng, zone, _ = random.choices(towns, weights)[0]
    h, m = map(int, random.choice(times).split(":"))
    end = (h * 60 + m + random.choice([60, 60, 60, 90])) % (24 * 60)
    row = {
        "slug": f"m{n}", "name": f"{name} group {n}", "day": random.randrange(7),
        "time": f"{h:02}:{m:02}", "end_time": f"{end // 60:02}:{end % 60:02}", "timezone": zone,
        "address": f"{random.randrange(1, 2000)} Example Street", "city": name,
        "latitude": round(lat + random.gauss(0, 0.08), 5), "longitude": round(lng + random.gauss(0, 0.1), 5),
        "types": [c for c, p in codes if random.random() < p],
        "location": "Community Hall", "group": f"{name} group {n % 5000}",
    }
    if random.random() < 0.25:
        row["conference_url"] = f"https://meet.example.org/{n}"
    if random.random() < 0.25:
        row["day"] = sorted(random.sample(range(7), random.choice([2, 3, 5])))
    rows.append(row)
json.dump(rows, open(sys.argv[1], "w"))
PY
FEED_MB=$(du -m "$WORK/feed.json" | cut -f1)
python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))[:50000], open(sys.argv[2], "w"))' "$WORK/feed.json" "$WORK/feed50k.json"

# A 50,000-row feed into an empty database of its own, then the whole feed into the one served.
if [[ "$DATABASE_URL" == postgres* ]]; then
  SCHEMA50="${SCHEMA}_50k"
  psql "$BENCH_DATABASE_URL" -qc "CREATE SCHEMA $SCHEMA50" >/dev/null
  DATABASE_50K="${BENCH_DATABASE_URL}${SEP}options=-csearch_path%3D${SCHEMA50}"
else
  DATABASE_50K="sqlite://$WORK/fifty.db"
fi
read -r IMPORT50_SECONDS IMPORT50_KIB < <(MUTUAL_LOG=warn /usr/bin/time -f '%e %M' target/release/mutual import meeting-guide "$WORK/feed50k.json" --program AA --database-url "$DATABASE_50K" 2>&1 >/dev/null | tail -1)
if [[ -n "${SCHEMA50:-}" ]]; then psql "$BENCH_DATABASE_URL" -qc "SET client_min_messages = warning; DROP SCHEMA $SCHEMA50 CASCADE" >/dev/null; fi
read -r IMPORT_SECONDS IMPORT_KIB < <(MUTUAL_LOG=warn /usr/bin/time -f '%e %M' target/release/mutual import meeting-guide "$WORK/feed.json" --program AA --database-url "$DATABASE_URL" 2>&1 >/dev/null | tail -1)

MUTUAL_LOG=warn target/release/mutual serve --listen "127.0.0.1:$PORT" --database-url "$DATABASE_URL" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.1; done
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER/status"; }
IDLE_RSS=$(rss_kib)
BUILD_START=$(date +%s.%N)
curl -fs -o /dev/null "$BASE/api/v1/meetings?limit=1"
BUILD_SECONDS=$(awk -v s="$BUILD_START" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
LOADED_RSS=$(rss_kib)

SEARCH="/api/v1/meetings?near=41.8781,-87.6298&radius_km=25&day=2&after=18:00&before=21:00&types=O,D&limit=50&tz=America/Chicago"
FOUND=$(curl -fs "$BASE$SEARCH" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')

# measure PATH: prints "req/s p50_ms p99_ms" for one wrk run.
measure() { bench_wrk "$BASE$1"; }

echo
echo "Mutual directory benchmark — $(date -u +%Y-%m-%d), database: ${DATABASE_URL%%:*}, $MEETINGS meetings, wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s, $(nproc) cores"
bench_header 44 endpoint
# The raw axum baseline first, with the same wrk settings.
baseline_start "$BASELINE_PORT"
read -r RAW_RPS raw_p50 raw_p99 < <(bench_wrk "$BASELINE_URL")
read -r HEALTHZ_RPS base_p50 base_p99 < <(measure /healthz)
bench_row 44 "raw axum GET /hello (limit)" "$RAW_RPS" "$raw_p50" "$raw_p99"
bench_row 44 "/healthz (baseline)" "$HEALTHZ_RPS" "$base_p50" "$base_p99"
# Each endpoint is the median of BENCH_ROUNDS pairs (raw axum, then the endpoint), its ratio to
# raw axum taken within its pair, as in bench/run.sh: raw axum alone moves by half from one run
# to the next on this shared machine.
for entry in "opening /meetings page (HTML)|/meetings?tz=America/Chicago" \
             "combined search ($FOUND results)|$SEARCH" \
             "broad text search q=group 1 (most match)|/api/v1/meetings?q=group%201&limit=50&tz=UTC" \
             "everything starting within 2 hours|/api/v1/meetings?starting_within_hours=2&limit=50"; do
  name="${entry%%|*}"; path="${entry#*|}"
  read -r rps p50 p99 RAW_RPS < <(bench_paired "$BASE$path")
  bench_row 44 "$name" "$rps" "$p50" "$p99"
done
baseline_stop

# The whole feed, with the server's memory sampled every 50 ms while it streams.
(while kill -0 "$SERVER" 2>/dev/null; do rss_kib; sleep 0.05; done) >"$WORK/rss.log" &
SAMPLER=$!
BEFORE_FEED=$(rss_kib)
read -r FEED_SECONDS FEED_BYTES < <(curl -fs -o "$WORK/served.json" -w '%{time_total} %{size_download}\n' "$BASE/meetings.json")
kill "$SAMPLER" 2>/dev/null || true
FEED_PEAK=$(sort -n "$WORK/rss.log" | tail -1)
FEED_ROWS=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$WORK/served.json")

# The same feed as a source of another directory, synced (every meeting written once and tied
# to the source), then synced again with 1% of its meetings changed: only those are written.
SOURCE_PORT=$((PORT + 20))
(cd "$WORK" && exec python3 -m http.server "$SOURCE_PORT" --bind 127.0.0.1) >/dev/null 2>&1 &
SOURCE_SERVER=$!
for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$SOURCE_PORT/feed50k.json" && break; sleep 0.1; done
SOURCE_ID=$(MUTUAL_LOG=warn target/release/mutual sync add --name bench --url "http://127.0.0.1:$SOURCE_PORT/feed.json" --program AA --database-url "$DATABASE_URL")
timed() { local s; s=$(date +%s.%N); "$@" >"$WORK/timed.out"; awk -v s="$s" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }
FIRST_SYNC=$(MUTUAL_LOG=warn timed target/release/mutual sync run "$SOURCE_ID" --database-url "$DATABASE_URL")
FIRST_SYNC_SAID=$(cat "$WORK/timed.out")
python3 - "$WORK/feed.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
for row in rows[::100]:
    row["notes"] = "Moved to the back room."
json.dump(rows, open(sys.argv[1], "w"))
PY
SYNC_FROM_MS=$(( $(date +%s%3N) ))
SECOND_SYNC=$(MUTUAL_LOG=warn timed target/release/mutual sync run "$SOURCE_ID" --database-url "$DATABASE_URL")
SECOND_SYNC_SAID=$(cat "$WORK/timed.out")
kill "$SOURCE_SERVER" 2>/dev/null || true
written_since() {
  local sql="SELECT COUNT(*) FROM meetings WHERE updated_at >= $1"
  if [[ "$DATABASE_URL" == postgres* ]]; then
    psql "$DATABASE_URL" -tAc "$sql"
  else
    python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "${DATABASE_URL#sqlite://}" "$sql"
  fi
}
WRITTEN=$(written_since "$SYNC_FROM_MS")

echo
echo "import of $MEETINGS meetings ($FEED_MB MB feed):      ${IMPORT_SECONDS} s, peak memory $((IMPORT_KIB / 1024)) MiB (target < 30 s)"
echo "import of 50,000 meetings into an empty database: ${IMPORT50_SECONDS} s, peak memory $((IMPORT50_KIB / 1024)) MiB"
echo "/meetings.json, one row a day: $FEED_ROWS rows for $MEETINGS meetings, $((FEED_BYTES / 1024 / 1024)) MB in ${FEED_SECONDS} s (target < 2 s)"
echo "sync of the $MEETINGS-meeting feed as a source, first run: ${FIRST_SYNC} s ($FIRST_SYNC_SAID)"
echo "sync again with 1% changed: ${SECOND_SYNC} s ($SECOND_SYNC_SAID); meetings written: $WRITTEN of $MEETINGS"
echo "resident memory while streaming the feed: $((BEFORE_FEED / 1024)) MiB before, $((FEED_PEAK / 1024)) MiB at most"
echo "directory built on first search in ${BUILD_SECONDS} s; resident memory $((IDLE_RSS / 1024)) MiB before, $((LOADED_RSS / 1024)) MiB after"
