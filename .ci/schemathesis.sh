#!/usr/bin/env bash
# CI: property-based testing of the JSON API with schemathesis, against the OpenAPI document the
# server publishes at /api/v1/openapi.json, on SQLite and on PostgreSQL, as a demo member and as a
# demo moderator. Every check but the one named in EXCLUDE_CHECKS below, every phase
# (examples, coverage, fuzzing, stateful). Prints the
# requests sent and the failures, and exits non-zero when schemathesis found any.
#
# Run from anywhere after `cargo test --workspace` has built target/debug/mutual:
#
#   .ci/schemathesis.sh
#   MUTUAL_BIN=target/release/mutual .ci/schemathesis.sh
#   MUTUAL_SCHEMATHESIS_BACKENDS=sqlite MUTUAL_SCHEMATHESIS_ROLES=member .ci/schemathesis.sh
#   MUTUAL_SCHEMATHESIS_EXAMPLES=100 MUTUAL_SCHEMATHESIS_SEED=7 .ci/schemathesis.sh
#
# Settings (environment):
#   MUTUAL_BIN                        the server binary (default target/debug/mutual)
#   MUTUAL_TEST_POSTGRES_URL          PostgreSQL (default postgres://postgres@127.0.0.1:5432/test);
#                                     each run gets a fresh schema there, dropped afterwards
#   MUTUAL_SCHEMATHESIS_BACKENDS      "sqlite postgres" (default), or one of them
#   MUTUAL_SCHEMATHESIS_ROLES         "member moderator" (default), or one of them
#   MUTUAL_SCHEMATHESIS_EXAMPLES      test cases per operation and phase (default 15)
#   MUTUAL_SCHEMATHESIS_SEED          the seed, for reproducible runs (default 20261203)
#   MUTUAL_SCHEMATHESIS_WORKERS       concurrent workers (default 2)
#   MUTUAL_SCHEMATHESIS_RUN_TIMEOUT   hard stop for one schemathesis run, seconds (default 150)
#   MUTUAL_SCHEMATHESIS_EXCLUDE_CHECKS checks not enforced (default: positive_data_acceptance;
#                                     empty: every check)
#   MUTUAL_SCHEMATHESIS_VENV          where schemathesis is installed (default: the user's cache)
#   MUTUAL_SCHEMATHESIS_REPORTS       where reports go (default: a new temporary folder, kept)
#   MUTUAL_SCHEMATHESIS_KEEP_NDJSON=1 keep the full event logs (tens of MB a run) next to JUnit
#
# Excluded: DELETE /api/v1/sessions/current only. It ends the session whose bearer token the run
# uses, so every later request would answer 401 and the rest of the run would test nothing.
# Kept on purpose: POST /api/v1/sessions and POST /api/v1/accounts (their failed-sign-in and
# registration throttles answer 429 later in a run, which schemathesis accepts, and neither ends
# an existing session), and the moderator's sanctions (a moderator cannot sanction themselves; the
# member's run comes first, so a sanction on that member cannot spoil it).
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
BIN="${MUTUAL_BIN:-target/debug/mutual}"
PG_URL="${MUTUAL_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
BACKENDS="${MUTUAL_SCHEMATHESIS_BACKENDS:-sqlite postgres}"
ROLES="${MUTUAL_SCHEMATHESIS_ROLES:-member moderator}"
EXAMPLES="${MUTUAL_SCHEMATHESIS_EXAMPLES:-15}"
SEED="${MUTUAL_SCHEMATHESIS_SEED:-20261203}"
WORKERS="${MUTUAL_SCHEMATHESIS_WORKERS:-2}"
RUN_TIMEOUT="${MUTUAL_SCHEMATHESIS_RUN_TIMEOUT:-150}"
# Not enforced: positive_data_acceptance, which fails where a schema-valid request breaks a rule
# that depends on the data, not the request, and that no schema can state (a pseudonym that
# must exist, a check-in date within the last week, a slip after the clock's start, the hourly
# posting limit, 20 clocks at most). Each such answer is a documented 422 naming the field.
# negative_data_rejection is enforced: the API refuses whatever its schema refuses.
# MUTUAL_SCHEMATHESIS_EXCLUDE_CHECKS= (empty) runs every check.
EXCLUDE_CHECKS="${MUTUAL_SCHEMATHESIS_EXCLUDE_CHECKS-positive_data_acceptance}"
VENV="${MUTUAL_SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/mutual/schemathesis-$SCHEMATHESIS_VERSION}"

[[ -x "$BIN" ]] || { echo "schemathesis: no server binary at $BIN (build it, or set MUTUAL_BIN)" >&2; exit 2; }
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

echo "== schemathesis $SCHEMATHESIS_VERSION (virtualenv $VENV)"
installed_version() {
  "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true
}
if [[ "$(installed_version)" != "$SCHEMATHESIS_VERSION" ]]; then
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
[[ "$(installed_version)" == "$SCHEMATHESIS_VERSION" ]] || { echo "schemathesis: install failed" >&2; exit 2; }

WORK="$(mktemp -d)"
REPORTS="${MUTUAL_SCHEMATHESIS_REPORTS:-$(mktemp -d)}"
mkdir -p "$REPORTS"
SERVER=""
SCHEMA=""
stop_server() {
  if [[ -n "$SERVER" ]]; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    SERVER=""
  fi
}
drop_schema() {
  if [[ -n "$SCHEMA" ]]; then
    psql "$PG_URL" -qc "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null || true
    SCHEMA=""
  fi
}
cleanup() {
  stop_server
  drop_schema
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
served_requests() { grep -c 'request status=' "$1" || true; }

# summarise NDJSON SERVER_LOG LINES_BEFORE: requests sent, failures by check and operation, and
# what the server logged (5xx, warnings, errors, panics) during the run.
summarise() {
  python3 - "$@" <<'PY'
import collections, json, re, sys
ndjson, server_log, before = sys.argv[1], sys.argv[2], int(sys.argv[3])
interactions = 0
failures = collections.OrderedDict()
errors = []
for line in open(ndjson, encoding="utf-8"):
    event = json.loads(line)
    error = event.get("NonFatalError") or event.get("FatalError")
    if error:
        info = error.get("info") or {}
        errors.append(f'{error.get("label", "?")}: {info.get("title") or info.get("message") or "error"}')
    finished = event.get("ScenarioFinished")
    if not finished:
        continue
    recorder = finished["recorder"]
    interactions += len(recorder.get("interactions", {}))
    for case_id, checks in recorder.get("checks", {}).items():
        for check in checks:
            if check.get("status") != "failure":
                continue
            failure = (check.get("failure_info") or {}).get("failure") or {}
            case = recorder["cases"].get(case_id, {}).get("value", {})
            operation = failure.get("operation") or f'{case.get("method")} {case.get("path")}'
            key = (failure.get("code", "?"), check["name"], operation)
            response = recorder.get("interactions", {}).get(case_id, {}).get("response") or {}
            failures.setdefault(key, [0, failure.get("title", ""), response.get("status_code")])
            failures[key][0] += 1
lines = open(server_log, encoding="utf-8", errors="replace").read().splitlines()
served = [l for l in lines if "request status=" in l][before:]
statuses = collections.Counter(re.search(r"request status=(\d+)", l).group(1) for l in served)
noteworthy = [l for l in lines if re.search(r"\b(WARN|ERROR)\b|panicked", l)]
print(f"requests: {interactions} recorded by schemathesis, {len(served)} logged by the server")
print("statuses served: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
print(f"failures: {len(failures)} distinct (check, operation) pairs; errors: {len(errors)}")
for (code, name, operation), (count, title, status) in sorted(failures.items()):
    print(f"  {code} {name:<30} {operation:<48} {count:>4}x  e.g. status {status}: {title}")
for error in errors:
    print(f"  error {error[:300]}")
if noteworthy:
    print(f"server warnings/errors/panics logged: {len(noteworthy)} (first 20)")
    for l in noteworthy[:20]:
        print("  " + l[:400])
PY
}

RESULTS=()
FAILED=0
for backend in $BACKENDS; do
  dir="$WORK/$backend"
  mkdir -p "$dir"
  case "$backend" in
    sqlite) database_url="sqlite://$dir/mutual.db" ;;
    postgres)
      # A fresh schema keeps runs apart and leaves the database's other contents alone.
      SCHEMA="mutual_schemathesis_$(date +%s)_$$"
      psql "$PG_URL" -qc "CREATE SCHEMA $SCHEMA" >/dev/null
      sep='?'; [[ "$PG_URL" == *\?* ]] && sep='&'
      database_url="${PG_URL}${sep}options=-csearch_path%3D${SCHEMA}"
      ;;
    *) echo "schemathesis: unknown backend $backend" >&2; exit 2 ;;
  esac
  port="$(free_port)"
  base="http://127.0.0.1:$port"
  log="$REPORTS/server-$backend.log"
  echo
  echo "== $backend: starting the demo server on $base"
  (cd "$dir" && exec "$BIN" serve --demo --listen "127.0.0.1:$port" --database-url "$database_url") >"$log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "$base/healthz" && break
    kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.2
  done
  curl -fs -o /dev/null "$base/healthz" || { echo "the server did not start; its log:" >&2; cat "$log" >&2; exit 1; }

  # The demo prints its logins: 'password is "..."', then one '  NAME  ROLE' line per account.
  password="$(sed -nE 's/.*password is "([^"]+)".*/\1/p' "$log" | head -n 1)"
  declare -A user=(
    [member]="$(awk '$2 == "member" && NF == 2 {print $1; exit}' "$log")"
    [moderator]="$(awk '$2 == "moderator" && NF == 2 {print $1; exit}' "$log")"
  )
  [[ -n "$password" && -n "${user[member]}" && -n "${user[moderator]}" ]] ||
    { echo "could not read the demo logins; server log:" >&2; cat "$log" >&2; exit 1; }
  # Sign both in before any run: fuzzing POST /api/v1/sessions trips the per-address throttle.
  declare -A token=()
  for role in $ROLES; do
    body="$(python3 -c 'import json, sys; print(json.dumps({"username": sys.argv[1], "password": sys.argv[2]}))' \
      "${user[$role]}" "$password")"
    token[$role]="$(curl -fsS -H 'content-type: application/json' -d "$body" "$base/api/v1/sessions" |
      python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
  done

  for role in $ROLES; do
    name="$backend-$role"
    run_dir="$WORK/run-$name"
    mkdir -p "$run_dir"
    events="$run_dir/events.ndjson"
    [[ "${MUTUAL_SCHEMATHESIS_KEEP_NDJSON:-}" == 1 ]] && events="$REPORTS/events-$name.ndjson"
    echo
    echo "== $name: schemathesis as ${user[$role]} ($role), $EXAMPLES examples per operation, seed $SEED"
    before="$(served_requests "$log")"
    started=$SECONDS
    rc=0
    # From a scratch folder: schemathesis writes .hypothesis/ and .schemathesis/ where it runs.
    (cd "$run_dir" && timeout --signal=INT --kill-after=20 "$RUN_TIMEOUT" \
      "$VENV/bin/schemathesis" run "$base/api/v1/openapi.json" \
      --header "Authorization: Bearer ${token[$role]}" \
      --checks all \
      ${EXCLUDE_CHECKS:+--exclude-checks "$EXCLUDE_CHECKS"} \
      --phases examples,coverage,fuzzing,stateful \
      --exclude-path /api/v1/sessions/current \
      --max-examples "$EXAMPLES" \
      --seed "$SEED" \
      --generation-database none \
      --workers "$WORKERS" \
      --request-timeout 35 \
      --no-color \
      --report junit,ndjson \
      --report-junit-path "$REPORTS/junit-$name.xml" \
      --report-ndjson-path "$events") | tee "$REPORTS/schemathesis-$name.log" || rc=$?
    elapsed=$((SECONDS - started))
    echo
    echo "== $name: schemathesis exited $rc after ${elapsed}s"
    summary="$(summarise "$events" "$log" "$before")" || summary="requests: unknown (no events recorded)"
    echo "$summary"
    kill -0 "$SERVER" 2>/dev/null || { echo "the server died during the run; its log ends:" >&2; tail -n 40 "$log" >&2; rc=1; }
    RESULTS+=("$(printf '%-20s exit %-3s %4ss  %s; %s' "$name" "$rc" "$elapsed" \
      "$(sed -n 1p <<<"$summary")" "$(sed -n 3p <<<"$summary")")")
    [[ "$rc" == 0 ]] || FAILED=1
  done
  unset user token
  stop_server
  drop_schema
done

echo
echo "== schemathesis summary (reports in $REPORTS)"
printf '%s\n' "${RESULTS[@]}"
if [[ "$FAILED" != 0 ]]; then
  echo "schemathesis found failures (see above; each has a curl command to reproduce it)"
  exit 1
fi
