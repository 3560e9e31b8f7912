#!/usr/bin/env bash
# The people benchmark: 100,000 members, 20,000 circles and 1,000,000 private messages written
# straight into a SQLite database by the script, then served: opening a conversation of 200
# messages under wrk next to the raw axum baseline (bench/baseline, GET /hello) and /healthz of
# the same run (ratios), sending messages under load (p50/p99 from wrk), and Reach out presses
# by members of full circles who have a mentor (12 people to tell each), timed one at a time
# from the press to the answer, by which the in-app notifications of all 12 are stored (the
# script checks the answer names all 12).
#
#   bench/people.sh
#   BENCH_MEMBERS=100000 BENCH_CIRCLES=20000 BENCH_MESSAGES=1000000 BENCH_SECONDS=10 bench/people.sh
#   BENCH_SENDERS="8 16 32" bench/people.sh     # concurrent senders to measure sending with
#   BENCH_BASELINE_PORT=18093 bench/people.sh   # the raw axum baseline's port (PORT + 10)
#
# Needs wrk, curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_THREADS:-2}"
PORT="${BENCH_PORT:-18083}"
BASELINE_PORT="${BENCH_BASELINE_PORT:-$((PORT + 10))}"
MEMBERS="${BENCH_MEMBERS:-100000}"
CIRCLES="${BENCH_CIRCLES:-20000}"
MESSAGES="${BENCH_MESSAGES:-1000000}"
PRESSES="${BENCH_PRESSES:-20}"
BASE="http://127.0.0.1:$PORT"
PASSWORD="bench lantern harbour violet"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
. bench/baseline.sh
baseline_build

WORK="$(mktemp -d)"
DB="$WORK/mutual.db"
cat >"$WORK/bench.toml" <<TOML
[app.throttle]
registrations_per_hour = 100000
TOML
SERVER=""
start_server() {
  MUTUAL_LOG=warn target/release/mutual serve --config "$WORK/bench.toml" --listen "127.0.0.1:$PORT" \
    --database-url "sqlite://$DB" >>"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.1; done
}
stop_server() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=""; }
cleanup() { baseline_stop; if [[ -n "$SERVER" ]]; then stop_server; fi; rm -rf "$WORK"; }
trap cleanup EXIT
sign_in() {
  curl -fs -H 'content-type: application/json' -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" \
    "$BASE/api/v1/sessions" | sed -E 's/.*"token":"([^"]+)".*/\1/'
}

# The schema and the first member come from the server; everyone else from the script, with
# the same password hash.
start_server
curl -fs -o /dev/null -H 'content-type: application/json' \
  -d "{\"username\":\"bench_member_0\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/accounts"
stop_server

SEED_START=$(date +%s.%N)
read -r LONG_CONVERSATION < <(python3 - "$DB" "$MEMBERS" "$CIRCLES" "$MESSAGES" "$PRESSES" <<'PY'
import random, sqlite3, sys, time, uuid
db, members, circles, messages, presses = sys.argv[1], *map(int, sys.argv[2:])
random.seed(7)
con = sqlite3.connect(db)
con.execute("PRAGMA synchronous = OFF")
first = con.execute("SELECT id, password_hash, created_at FROM users").fetchone()
now = int(time.time() * 1000)
ids = [first[0]] + [uuid.uuid4().bytes for _ in range(members - 1)]
con.execute("BEGIN")
con.executemany(
    "INSERT INTO users (id, username, username_lower, password_hash, email, role, status, status_reason, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, NULL, 'member', 'active', NULL, ?, ?)",
    ((ids[n], f"bench_member_{n}", f"bench_member_{n}", first[1], now - 400 * 86400000, now) for n in range(1, members)))
# Circles: the first `presses` are full (12), each around a member who will press Reach out;
# the rest hold 2 to 8 members chosen at random.
circle_rows, member_rows = [], []
def share(user, circle, at):
    member_rows.append((circle, user, at, 1, 0, 0, 0, 1))
for c in range(circles):
    cid = uuid.uuid4().bytes
    circle_rows.append((cid, f"Circle {c}", now - 90 * 86400000))
    if c < presses:
        people = [ids[1 + c * 12 + k] for k in range(12)]
    else:
        people = random.sample(ids[1 + presses * 12:], random.randint(2, 8))
    for user in people:
        share(user, cid, now - 80 * 86400000)
con.executemany("INSERT INTO circles (id, name, invite_hash, created_at) VALUES (?, ?, NULL, ?)", circle_rows)
# Each member who presses has a mentor too (outside the circle): 12 people to tell.
mentors = [(uuid.uuid4().bytes, ids[-1 - c], ids[1 + c * 12], now - 60 * 86400000) for c in range(presses)]
con.executemany(
    "INSERT INTO mentorships (id, mentor_id, mentee_id, state, request_note, answer, cadence, goals, mentor_notes, mentee_notes, "
    "share_warnings, share_reach_out, created_at, answered_at, ended_at) VALUES (?, ?, ?, 'active', '', '', '', '', '', '', 0, 1, ?, NULL, NULL)",
    mentors)
con.executemany(
    "INSERT OR IGNORE INTO circle_members (circle_id, user_id, joined_at, share_checkin, share_streak, share_milestones, share_warnings, share_reach_out, quiet_days) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)", member_rows)
# Conversations: bench_member_0 talks with bench_member_1 (200 messages) and 49 others; the
# rest are between random members, 20 messages each on average.
conversations = []
def conversation(a, b, count):
    cid = uuid.uuid4().bytes
    key = ":".join(sorted([uuid.UUID(bytes=a).hex, uuid.UUID(bytes=b).hex]))
    conversations.append((cid, key, a, b, count))
conversation(ids[0], ids[1], 200)
for k in range(2, 51):
    conversation(ids[0], ids[k], 20)
left = messages - 200 - 49 * 20
pairs = set()
while left > 0:
    a, b = random.sample(ids[51:], 2)
    if (a, b) in pairs or (b, a) in pairs:
        continue
    pairs.add((a, b))
    count = min(left, random.randint(5, 35))
    conversation(a, b, count)
    left -= count
words = "today meeting feel sponsor night morning work family craving support thanks grateful hard better call walk sleep proud help talk hope coffee".split()
message_rows, convo_rows, member_rows = [], [], []
start = now - messages * 1000
clock = start
for cid, key, a, b, count in conversations:
    for seq in range(1, count + 1):
        clock += 1000
        message_rows.append((uuid.uuid4().bytes, cid, seq, a if seq % 2 else b, " ".join(random.choices(words, k=random.randint(4, 30))), clock))
    convo_rows.append((cid, key, clock - count * 1000, count, clock))
    member_rows.append((cid, a, count, clock - count * 1000))
    member_rows.append((cid, b, count, clock - count * 1000))
    if len(message_rows) >= 200_000:
        con.executemany("INSERT INTO messages (id, conversation_id, seq, author_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)", message_rows)
        message_rows = []
con.executemany("INSERT INTO messages (id, conversation_id, seq, author_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)", message_rows)
con.executemany("INSERT INTO conversations (id, pair_key, created_at, last_seq, last_message_at) VALUES (?, ?, ?, ?, ?)", convo_rows)
con.executemany("INSERT INTO conversation_members (conversation_id, user_id, state, read_seq, joined_at) VALUES (?, ?, 'active', ?, ?)", member_rows)
con.commit()
con.execute("PRAGMA optimize")
con.close()
with open(db + ".mine", "w") as f:
    for cid, key, a, b, count in conversations[:50]:
        f.write(str(uuid.UUID(bytes=cid)) + "\n")
print(uuid.UUID(bytes=conversations[0][0]))
PY
)
SEED_SECONDS=$(awk -v s="$SEED_START" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
DB_MB=$(du -m "$DB" | cut -f1)

start_server
TOKEN=$(sign_in bench_member_0)
[[ -n "$TOKEN" ]] || { echo "could not sign in; server log:" >&2; cat "$WORK/server.log" >&2; exit 1; }
AUTH="Authorization: Bearer $TOKEN"
SHOWN=$(curl -fs -H "$AUTH" "$BASE/messages/$LONG_CONVERSATION" | grep -o 'class="message' | wc -l)
[[ "$SHOWN" -ge 200 ]] || { echo "the conversation page shows $SHOWN messages" >&2; cat "$WORK/server.log" >&2; exit 1; }

# measure PATH [wrk options...]: requests/s, p50 and p99 in ms.
measure() { local path="$1"; shift; bench_wrk "$BASE$path" -H "$AUTH" "$@"; }

# Sending: each request posts into the next of the member's 50 conversations.
{
  echo 'local ids = {'
  sed 's/.*/  "&",/' "$DB.mine"
  echo '}'
  cat <<'LUA'
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"body":"Thinking of you today. Call me after the meeting if you want to talk."}'
request = function()
  n = n + 1
  return wrk.format(nil, "/api/v1/conversations/" .. ids[(n % #ids) + 1] .. "/messages")
end
LUA
} >"$WORK/send.lua"

echo
echo "Mutual people benchmark — $(date -u +%Y-%m-%d), sqlite, $MEMBERS members, $CIRCLES circles, $MESSAGES messages ($DB_MB MB, seeded in ${SEED_SECONDS} s), $(nproc) cores"
echo
echo "Under load: wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s"
bench_header 52 endpoint
# The raw axum baseline first, with the same wrk settings (the same header too).
baseline_start "$BASELINE_PORT"
read -r RAW_RPS raw_p50 raw_p99 < <(bench_wrk "$BASELINE_URL" -H "$AUTH")
baseline_stop
read -r HEALTHZ_RPS base_p50 base_p99 < <(measure /healthz)
bench_row 52 "raw axum GET /hello (limit)" "$RAW_RPS" "$raw_p50" "$raw_p99"
bench_row 52 "/healthz (baseline)" "$HEALTHZ_RPS" "$base_p50" "$base_p99"
for entry in "conversation page, $SHOWN messages (HTML)|/messages/$LONG_CONVERSATION" \
             "conversation (API)|/api/v1/conversations/$LONG_CONVERSATION" \
             "conversation list (HTML)|/messages"; do
  name="${entry%%|*}"; path="${entry#*|}"
  read -r rps p50 p99 < <(measure "$path")
  bench_row 52 "$name" "$rps" "$p50" "$p99"
done
for senders in ${BENCH_SENDERS:-8 32}; do
  read -r rps p50 p99 < <(CONNECTIONS=$senders measure /api/v1/conversations -s "$WORK/send.lua")
  bench_row_unrated 52 "sending a message (API, $senders senders at once)" "$rps" "$p50" "$p99"
done

echo
echo "Reach out: $PRESSES members of full circles (11 others) with a mentor press once each (12 to tell), one at a time"
times=()
for n in $(seq 0 $((PRESSES - 1))); do
  member="bench_member_$((1 + n * 12))"
  token=$(sign_in "$member")
  read -r code ms < <(curl -s -o "$WORK/press.json" -w '%{http_code} %{time_total}\n' \
    -H "Authorization: Bearer $token" -H 'content-type: application/json' -d '{}' "$BASE/api/v1/reach-out" |
    awk '{ printf "%s %.2f\n", $1, $2 * 1000 }')
  told=$(grep -o '"username"' "$WORK/press.json" | wc -l)
  [[ "$code" == 201 ]] || { echo "Reach out answered $code: $(cat "$WORK/press.json")" >&2; exit 1; }
  [[ "$told" == 12 ]] || { echo "Reach out told $told, not the 11 others in the circle and the mentor" >&2; exit 1; }
  times+=("$ms")
done
stop_server
STORED=$(python3 -c "
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
print(con.execute(\"SELECT COUNT(*) FROM notifications WHERE kind = 'reach_out'\").fetchone()[0])" "$DB")
printf '%s\n' "${times[@]}" | sort -n | awk -v stored="$STORED" -v presses="$PRESSES" '
  { t[NR] = $1 } END {
    printf "press to answer, notifications stored: p50 %.2f ms, max %.2f ms (%d in-app notifications for %d presses)\n",
      t[int((NR + 1) / 2)], t[NR], stored, presses }'
