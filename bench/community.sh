#!/usr/bin/env bash
# The community benchmark: 1,000,000 posts in 100,000 threads over the seven default spaces,
# written straight into a SQLite database (with the full-text index) by the script, then served:
# a thread page of 50 posts and a space's thread list under wrk next to the raw axum baseline
# (bench/baseline, GET /hello) and /healthz of the same run (ratios), and full-text search one
# request at a time (p50/p99 of single requests) for the most common word, a common word, a
# phrase and a prefix, by relevance and newest first.
#
#   bench/community.sh
#   BENCH_POSTS=1000000 BENCH_THREADS_TOTAL=100000 BENCH_SECONDS=10 bench/community.sh
#   BENCH_KEEP_DB=/tmp/community.db bench/community.sh    # keep a copy of the seeded database
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test bench/community.sh   # a fresh schema
#   BENCH_BASELINE_PORT=18092 bench/community.sh       # the raw axum baseline's port (PORT + 10)
#
# Needs wrk, curl and python3 (with an SQLite of 3.43 or later for the SQLite run, as the index
# uses contentless_delete: the script uses `pysqlite3`, pip install pysqlite3-binary, when the
# system's is older), and psql for a PostgreSQL run (the rows go in with \copy).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_THREADS:-2}"
PORT="${BENCH_PORT:-18082}"
BASELINE_PORT="${BENCH_BASELINE_PORT:-$((PORT + 10))}"
POSTS="${BENCH_POSTS:-1000000}"
TOPICS="${BENCH_THREADS_TOTAL:-100000}"
BASE="http://127.0.0.1:$PORT"
PASSWORD="bench lantern harbour violet"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
. bench/baseline.sh
baseline_build

WORK="$(mktemp -d)"
DB="$WORK/mutual.db"
DATABASE_URL="${BENCH_DATABASE_URL:-sqlite://$DB}"
if [[ "$DATABASE_URL" == postgres* ]]; then
  # A fresh schema keeps runs apart and leaves the database's other contents alone.
  SCHEMA="mutual_bench_$(date +%s)"
  psql "$DATABASE_URL" -qc "CREATE SCHEMA $SCHEMA" >/dev/null
  SEP='?'; [[ "$DATABASE_URL" == *\?* ]] && SEP='&'
  DATABASE_URL="${DATABASE_URL}${SEP}options=-csearch_path%3D${SCHEMA}"
fi
cat >"$WORK/bench.toml" <<TOML
[app.throttle]
registrations_per_hour = 100000
TOML
SERVER=""
start_server() {
  MUTUAL_LOG=warn target/release/mutual serve --config "$WORK/bench.toml" --listen "127.0.0.1:$PORT" \
    --database-url "$DATABASE_URL" >>"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.1; done
}
stop_server() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=""; }
cleanup() {
  baseline_stop
  if [[ -n "$SERVER" ]]; then stop_server; fi
  if [[ -n "${BENCH_SERVER_LOG:-}" ]]; then cp "$WORK/server.log" "$BENCH_SERVER_LOG"; fi
  if [[ -n "${SCHEMA:-}" ]]; then psql "${BENCH_DATABASE_URL}" -qc "SET client_min_messages = warning; DROP SCHEMA $SCHEMA CASCADE" >/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The schema and twenty authors come from the server itself; the posts from the script.
start_server
for n in $(seq 1 20); do
  curl -fs -o /dev/null -H 'content-type: application/json' \
    -d "{\"username\":\"bench_author_$n\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/accounts"
done
TOKEN=$(curl -fs -H 'content-type: application/json' \
  -d "{\"username\":\"bench_author_1\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/sessions" |
  sed -E 's/.*"token":"([^"]+)".*/\1/')
[[ -n "$TOKEN" ]] || { echo "could not sign in; server log:" >&2; cat "$WORK/server.log" >&2; exit 1; }
stop_server

SEED_START=$(date +%s.%N)
if [[ "$DATABASE_URL" == postgres* ]]; then
  psql "$DATABASE_URL" -Atqc "SELECT id FROM users" >"$WORK/authors.txt"
  psql "$DATABASE_URL" -Atqc "SELECT id FROM spaces ORDER BY position" >"$WORK/spaces.txt"
  TARGET="csv:$WORK"
else
  TARGET="sqlite:$DB"
fi
read -r LONG_THREAD SPACE < <(python3 - "$TARGET" "$POSTS" "$TOPICS" <<'PY'
import csv, html, os, random, sys, time, uuid
target, posts_total, threads_total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
kind, where = target.split(":", 1)
random.seed(11)
if kind == "sqlite":
    import sqlite3
    if sqlite3.sqlite_version_info < (3, 43):
        try:
            import pysqlite3 as sqlite3
        except ImportError:
            sys.exit(f"SQLite {sqlite3.sqlite_version} is too old for the index: pip install pysqlite3-binary")
    con = sqlite3.connect(where)
    con.execute("PRAGMA synchronous = OFF")
    authors = [row[0] for row in con.execute("SELECT id FROM users")]
    spaces = [row[0] for row in con.execute("SELECT id FROM spaces ORDER BY position")]
    ident = lambda value: value
else:
    read = lambda name: [uuid.UUID(line.strip()).bytes for line in open(os.path.join(where, name)) if line.strip()]
    authors, spaces = read("authors.txt"), read("spaces.txt")
    ident = lambda value: str(uuid.UUID(bytes=value)) if value is not None else None
# Words by how often people use them: a few very common, a long tail of rarer ones.
common = ("today day one time meeting feel feeling sponsor step night morning work family week "
          "craving cravings support thanks grateful hard better sober clean recovery home friend "
          "call walk sleep tired proud strong help talk share group again start year month months "
          "slip relapse honest hope kind trust pray breathe coffee tea dinner lunch drive job").split()
tail = [f"{a}{b}" for a in ("bar", "cor", "del", "fen", "gar", "hol", "jun", "kel", "lom", "mar",
        "nor", "pel", "quin", "ros", "sal", "tam", "ulm", "ver", "wil", "yar")
        for b in ("ba", "ce", "di", "fo", "gu", "ha", "je", "ki", "lo", "mu", "ne", "po", "ri",
                  "su", "ta", "vo", "wa", "xi", "yo", "ze")]
vocabulary = common + tail
weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))]
def sentence(n):
    return " ".join(random.choices(vocabulary, weights, k=n))
# 1,000 threads of 60 posts (a full first page and more), the rest shared out at random.
sizes = [60] * min(1000, threads_total)
rest = threads_total - len(sizes)
left = posts_total - sum(sizes)
sizes += [1] * rest
for _ in range(left - rest):
    sizes[len(sizes) - rest + random.randrange(rest)] += 1
random.shuffle(sizes)
now = int(time.time() * 1000)
start = now - posts_total * 1000
threads = [(uuid.uuid4().bytes, spaces[n % len(spaces)], random.choice(authors), size)
           for n, size in enumerate(sizes)]
# Posts go in time order, threads interleaved, as a forum's are.
queue = []
for index, (_, _, _, size) in enumerate(threads):
    queue.extend([index] * size)
random.shuffle(queue)
seen = [0] * len(threads)
first_at = [0] * len(threads)
last_at = [0] * len(threads)
titles = [sentence(4).capitalize() for _ in threads]
POSTS_SQL = ("INSERT INTO posts (num, id, thread_id, seq, author_id, anonymous, body, html, "
             "content_warning, crisis, state, quoted_post, created_at, edited_at) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
if kind == "sqlite":
    con.execute("BEGIN")
    def write_posts(rows, search):
        con.executemany(POSTS_SQL, rows)
        con.executemany("INSERT INTO post_search (rowid, title, body) VALUES (?, ?, ?)", search)
else:
    posts_file = open(os.path.join(where, "posts.csv"), "w", newline="")
    posts_csv = csv.writer(posts_file)
    def write_posts(rows, search):
        for row in rows:
            posts_csv.writerow([row[0], ident(row[1]), ident(row[2]), row[3], ident(row[4]),
                                "t" if row[5] else "f", row[6], row[7], row[8], "f", row[10], "",
                                row[12], ""])
post_rows, search_rows = [], []
for num, index in enumerate(queue, start=1):
    thread_id, space, author, _ = threads[index]
    seen[index] += 1
    at = start + num * 1000
    if seen[index] == 1:
        first_at[index] = at
    last_at[index] = at
    body = sentence(random.randint(12, 60))
    anonymous = random.random() < 0.03
    post_rows.append((num, uuid.uuid4().bytes, thread_id, seen[index], random.choice(authors),
                      anonymous, body, f"<p>{html.escape(body)}</p>\n", "", False, "published",
                      None, at, None))
    # As the server does: the title is indexed with the opening post only.
    search_rows.append((num, titles[index] if seen[index] == 1 else "", body))
    if len(post_rows) == 50_000:
        write_posts(post_rows, search_rows)
        post_rows, search_rows = [], []
write_posts(post_rows, search_rows)
thread_rows = [(t[0], t[1], t[2], titles[i], t[3], first_at[i], last_at[i]) for i, t in enumerate(threads)]
if kind == "sqlite":
    con.executemany("INSERT INTO threads (id, space_id, author_id, anonymous, title, state, locked, "
                    "post_count, created_at, last_post_at) VALUES (?, ?, ?, 0, ?, 'open', 0, ?, ?, ?)",
                    thread_rows)
    con.commit()
    con.execute("PRAGMA optimize")
    con.close()
else:
    posts_file.close()
    with open(os.path.join(where, "threads.csv"), "w", newline="") as f:
        out = csv.writer(f)
        for (tid, space, author, title, count, first, last) in thread_rows:
            out.writerow([ident(tid), ident(space), ident(author), "f", title, "open", "f", count, first, last, 0])
long_thread = next(t for t in threads if t[3] >= 60)
print(uuid.UUID(bytes=long_thread[0]), uuid.UUID(bytes=spaces[0]))
PY
)
if [[ "$DATABASE_URL" == postgres* ]]; then
  psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL
\copy threads (id, space_id, author_id, anonymous, title, state, locked, post_count, created_at, last_post_at, version) FROM '$WORK/threads.csv' WITH (FORMAT csv)
\copy posts (num, id, thread_id, seq, author_id, anonymous, body, html, content_warning, crisis, state, quoted_post, created_at, edited_at) FROM '$WORK/posts.csv' WITH (FORMAT csv, FORCE_NOT_NULL (content_warning))
SELECT setval(pg_get_serial_sequence('posts', 'num'), (SELECT MAX(num) FROM posts));
INSERT INTO post_search (num, document)
  SELECT p.num, setweight(to_tsvector('simple', CASE WHEN p.seq = 1 THEN t.title ELSE '' END), 'A')
                || to_tsvector('simple', p.body)
  FROM posts p JOIN threads t ON t.id = p.thread_id;
UPDATE spaces SET version = version + 1;
ANALYZE;
SQL
fi
if [[ -n "${BENCH_KEEP_DB:-}" && -f "$DB" ]]; then cp "$DB" "$BENCH_KEEP_DB"; fi
SEED_SECONDS=$(awk -v s="$SEED_START" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
if [[ "$DATABASE_URL" == postgres* ]]; then
  DB_MB=$(psql "$DATABASE_URL" -Atqc "SELECT (SUM(pg_total_relation_size(c.oid)) / 1048576)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$SCHEMA' AND c.relkind = 'r'")
else
  DB_MB=$(du -m "$DB" | cut -f1)
fi

start_server
AUTH="Authorization: Bearer $TOKEN"
for path in "/threads/$LONG_THREAD" "/spaces/$SPACE" "/api/v1/search?q=today"; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "$BASE$path")
  [[ "$status" == 200 ]] || { echo "$path answered $status; server log:" >&2; cat "$WORK/server.log" >&2; exit 1; }
done
SHOWN=$(curl -fs -H "$AUTH" "$BASE/threads/$LONG_THREAD" | grep -o 'class="post' | wc -l)

# measure PATH THREADS CONNECTIONS: requests/s, p50 and p99 in ms.
measure() { bench_wrk "$BASE$1" -t"$2" -c"$3" -H "$AUTH"; }

echo
echo "Mutual community benchmark — $(date -u +%Y-%m-%d), ${DATABASE_URL%%:*}, $POSTS posts in $TOPICS threads ($DB_MB MB, seeded in ${SEED_SECONDS} s), $(nproc) cores"
echo
echo "Under load: wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s"
bench_header 48 endpoint
# The raw axum baseline first, with the same wrk settings (the same header too).
baseline_start "$BASELINE_PORT"
read -r RAW_RPS raw_p50 raw_p99 < <(bench_wrk "$BASELINE_URL" -t"$THREADS" -c"$CONNECTIONS" -H "$AUTH")
baseline_stop
read -r HEALTHZ_RPS base_p50 base_p99 < <(measure /healthz "$THREADS" "$CONNECTIONS")
bench_row 48 "raw axum GET /hello (limit)" "$RAW_RPS" "$raw_p50" "$raw_p99"
bench_row 48 "/healthz (baseline)" "$HEALTHZ_RPS" "$base_p50" "$base_p99"
for entry in "thread page, $SHOWN posts shown (HTML)|/threads/$LONG_THREAD" \
             "thread page 2 (HTML)|/threads/$LONG_THREAD?page=2" \
             "thread (API)|/api/v1/threads/$LONG_THREAD" \
             "space thread list, $((TOPICS / 7)) threads (HTML)|/spaces/$SPACE" \
             "space thread list (API)|/api/v1/spaces/$SPACE/threads" \
             "community page: the spaces with counts (HTML)|/community"; do
  name="${entry%%|*}"; path="${entry#*|}"
  read -r rps p50 p99 < <(measure "$path" "$THREADS" "$CONNECTIONS")
  bench_row 48 "$name" "$rps" "$p50" "$p99"
done

echo
echo "One request at a time: wrk -t1 -c1 -d${SECONDS_PER_RUN}s (each request's own latency)"
printf '%-48s %10s %9s %9s\n' search "req/s" "p50 ms" "p99 ms"
for entry in "/healthz (for reference)|/healthz" \
             "relevance: today (in most posts)|/api/v1/search?q=today" \
             "relevance: sponsor (common)|/api/v1/search?q=sponsor" \
             "relevance: \"one day\" (phrase)|/api/v1/search?q=%22one%20day%22" \
             "relevance: spons* (prefix)|/api/v1/search?q=spons*" \
             "relevance: rare word|/api/v1/search?q=yarze" \
             "newest first: today|/api/v1/search?q=today&order=newest" \
             "newest first: sponsor|/api/v1/search?q=sponsor&order=newest" \
             "newest first: rare word|/api/v1/search?q=yarze&order=newest" \
             "search page (HTML): today|/community?q=today"; do
  name="${entry%%|*}"; path="${entry#*|}"
  read -r rps p50 p99 < <(measure "$path" 1 1)
  printf '%-48s %10s %9s %9s\n' "$name" "$rps" "$p50" "$p99"
done
