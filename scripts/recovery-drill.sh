#!/usr/bin/env bash
# Kills each process of a running BulkCerts app in turn while a task runs, and prints how long the
# task took and how long the process took to come back. It reads task status only; the tests check
# that each certificate is issued once. It kills only processes of this checkout: the Api and the
# CertEngine built here, and the redis-server whose data folder is .data/redis.
# Start the app first, with the default DataPath: dotnet run --project BulkCerts.AppHost
# Usage: scripts/recovery-drill.sh [quantity]   (RSA-2048 certificates per task, default 300)
# The API key comes from BULKCERTS_API_KEY, or else from the AppHost's user secrets.
set -euo pipefail

api=${BULKCERTS_URL:-http://localhost:5080}
quantity=${1:-300}
root=$(cd "$(dirname "$0")/.." && pwd)
timeout_seconds=600
api_key=${BULKCERTS_API_KEY:-$(dotnet user-secrets list --project "$root/BulkCerts.AppHost" |
  sed -n 's/^Parameters:api-key = //p')}
if [[ -z $api_key ]]; then
  echo "No API key: set BULKCERTS_API_KEY, or start the AppHost once so that it generates one." >&2
  exit 1
fi

now() { date +%s.%N; }
seconds() { awk "BEGIN { printf \"%.1f\", $1 - $2 }"; }

create_task() {
  curl -sf -X POST "$api/certificates" -H "x-api-key: $api_key" \
    -H 'Content-Type: application/vnd.aws-cdf-v1.0+json' -H 'Accept: application/vnd.aws-cdf-v1.0+json' \
    -d "{\"quantity\": $quantity, \"certInfo\": {\"commonName\": \"drill\"}}" | sed -E 's/.*"taskId":"([^"]+)".*/\1/'
}

task_status() {
  curl -s "$api/certificates/$1/task" -H "x-api-key: $api_key" -H 'Accept: application/json' | sed -nE 's/.*"status":"([^"]+)".*/\1/p'
}

wait_for() { # task id, status words to wait for
  local status deadline=$((SECONDS + timeout_seconds))
  until status=$(task_status "$1") && [[ " $2 " == *" $status "* ]]; do
    if ((SECONDS > deadline)); then
      echo "task $1 did not reach '$2' within $timeout_seconds s" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "$status"
}

# Prints the id of this checkout's process of one kind: api, certengine or redis.
find_process() {
  case "$1" in
    api) pgrep -f "^$root/BulkCerts.Api/bin/.*/BulkCerts.Api$" || true ;;
    certengine) pgrep -f "^$root/BulkCerts.CertEngine/bin/.*/BulkCerts.CertEngine$" || true ;;
    redis)
      # redis-server runs in its data folder.
      for pid in $(pgrep -x redis-server); do
        [[ "$(readlink "/proc/$pid/cwd")" == "$root/.data/redis" ]] && echo "$pid"
      done
      ;;
  esac
}

run_task() { # fault name, process kind or empty
  local started task killed_at pid back_at="" ended status
  started=$(now)
  task=$(create_task)
  [[ -n "$task" ]] || { echo "creating a task at $api failed; is the app running?" >&2; exit 1; }
  wait_for "$task" "in_progress complete" > /dev/null
  if [[ -n "$2" ]]; then
    pid=$(find_process "$2")
    [[ -n "$pid" ]] || { echo "no $2 process of $root is running" >&2; exit 1; }
    kill -9 "$pid"
    killed_at=$(now)
    local deadline=$((SECONDS + timeout_seconds))
    until [[ -n "$(find_process "$2")" && "$(find_process "$2")" != "$pid" ]]; do
      ((SECONDS < deadline)) || { echo "$2 did not come back within $timeout_seconds s" >&2; exit 1; }
      sleep 0.1
    done
    back_at=$(now)
  fi
  status=$(wait_for "$task" "complete failed")
  ended=$(now)
  if [[ -n "$2" ]]; then
    printf '%-12s %-9s task %6s s   process back after %4s s\n' "$1" "$status" \
      "$(seconds "$ended" "$started")" "$(seconds "$back_at" "$killed_at")"
  else
    printf '%-12s %-9s task %6s s\n' "$1" "$status" "$(seconds "$ended" "$started")"
  fi
}

echo "$quantity RSA-2048 certificates per task, $(nproc) cores"
run_task "no fault" ""
run_task "certengine" certengine
run_task "api" api
run_task "redis" redis
run_task "no fault" ""
