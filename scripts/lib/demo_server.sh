# Shared by the server benchmarks (sourced): start `tailor serve --demo` on a free port in a data folder, sign in as the
# demo clinician, and stop it. Needs BIN; sets server_pid, base and token.

start_server() { # $1 = data dir, $2 = database URL (optional)
  local args=(serve --demo --port 0 --data "$1")
  [ -n "${2:-}" ] && args+=(--database "$2")
  TAILOR_BCRYPT_COST=10 TAILOR_LOG_LEVEL=warning TAILOR_ADMIN_PASSWORD=bench-admin-1 "$BIN" "${args[@]}" > "$1.out" 2> "$1.err" &
  server_pid=$!
  port=
  for _ in $(seq 1 600); do
    port=$(grep -oE 'listening on http://[^:]+:[0-9]+' "$1.out" 2>/dev/null | grep -oE '[0-9]+$' || true)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "server did not start"; cat "$1.err"; exit 1; }
  base="http://127.0.0.1:$port"
  token=$(curl -s "$base/api/v1/auth/login" -H 'content-type: application/json' -d '{"username":"clinician","password":"demo-clinician"}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
}

stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }
