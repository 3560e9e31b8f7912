#!/usr/bin/env bash
# Page weight: what a member's browser downloads for the dashboard, a thread and the meetings
# directory, as sent (no compression), gzip and brotli, and each page with the stylesheet and
# script it loads. Runs the demo community on a temporary SQLite database, signed in as a demo
# member. The issue's budget: each page with its CSS and JS under 15 KB compressed.
#
#   bench/weight.sh                       # builds release
#   MUTUAL_BIN=target/debug/mutual bench/weight.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BENCH_PORT:-18180}"
BASE="http://127.0.0.1:$PORT"
BIN="${MUTUAL_BIN:-target/release/mutual}"
[[ -n "${MUTUAL_BIN:-}" ]] || cargo build --release --quiet
WORK="$(mktemp -d)"
(cd "$WORK" && exec "$OLDPWD/$BIN" serve --demo --listen "127.0.0.1:$PORT" --database-url "sqlite://$WORK/mutual.db") >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 300); do curl -fs -o /dev/null "$BASE/healthz" && break; sleep 0.2; done

password="$(sed -nE 's/.*password is "([^"]+)".*/\1/p' "$WORK/server.log" | head -n 1)"
member="$(awk '$2 == "member" && NF == 2 {print $1; exit}' "$WORK/server.log")"
jar="$WORK/cookies"
csrf="$(curl -fs -c "$jar" -b "$jar" "$BASE/login" | sed -nE 's/.*name="csrf" value="([^"]+)".*/\1/p' | head -n 1)"
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "username=$member" \
  --data-urlencode "password=$password" --data-urlencode "csrf=$csrf" "$BASE/login"
thread="$(curl -fs -b "$jar" "$BASE/community" | grep -oE 'href="/spaces/[^"]+"' | head -n 1 | cut -d'"' -f2)"
thread="$(curl -fs -b "$jar" "$BASE$thread" | grep -oE 'href="/threads/[^"#?]+' | head -n 1 | cut -d'"' -f2)"

# size PATH ENCODING: the bytes on the wire.
size() {
  curl -fs -b "$jar" -o /dev/null -w '%{size_download}' ${2:+-H "accept-encoding: $2"} "$BASE$1"
}
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
css_br="$(size /static/mutual.css br)"; js_br="$(size /static/mutual.js br)"
css_gz="$(size /static/mutual.css gzip)"; js_gz="$(size /static/mutual.js gzip)"
printf '%-22s %10s %10s %10s %18s %18s\n' page "plain KB" "gzip KB" "br KB" "+CSS+JS gzip KB" "+CSS+JS br KB"
for path in /dashboard "$thread" /meetings /static/mutual.css /static/mutual.js; do
  plain="$(size "$path")"; gz="$(size "$path" gzip)"; br="$(size "$path" br)"
  if [[ "$path" == /static/* ]]; then with_gz="-"; with_br="-"; else
    with_gz="$(kb $((gz + css_gz + js_gz)))"; with_br="$(kb $((br + css_br + js_br)))"; fi
  name="$path"; [[ "$path" == /threads/* ]] && name="/threads/{id}"
  printf '%-22s %10s %10s %10s %18s %18s\n' "$name" "$(kb "$plain")" "$(kb "$gz")" "$(kb "$br")" "$with_gz" "$with_br"
done
