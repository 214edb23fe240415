#!/usr/bin/env bash
# Kills each process of a running BulkCerts app in turn while a task runs, and prints how much
# later the task completes than one without a fault, and how long the process took to come back.
# Start the app first: dotnet run --project BulkCerts.AppHost
# Usage: scripts/recovery-drill.sh [quantity]   (RSA-2048 certificates per task, default 300)
set -euo pipefail

api=${BULKCERTS_URL:-http://localhost:5080}
quantity=${1:-300}

now() { date +%s.%N; }
seconds() { awk "BEGIN { printf \"%.1f\", $1 - $2 }"; }

create_task() {
  curl -sf -X POST "$api/certificates" \
    -H 'Content-Type: application/vnd.aws-cdf-v1.0+json' -H 'Accept: application/vnd.aws-cdf-v1.0+json' \
    -d "{\"quantity\": $quantity, \"certInfo\": {\"commonName\": \"drill\"}}" | sed -E 's/.*"taskId":"([^"]+)".*/\1/'
}

task_status() {
  curl -s "$api/certificates/$1/task" -H 'Accept: application/json' | sed -nE 's/.*"status":"([^"]+)".*/\1/p'
}

wait_for() { # task id, status words to wait for
  local status
  until status=$(task_status "$1") && [[ " $2 " == *" $status "* ]]; do sleep 0.2; done
  echo "$status"
}

# Prints the id of the newest process whose command line matches the pattern.
find_process() { pgrep -n -f "$1" || true; }

run_task() { # fault name, process pattern or empty
  local started task killed_at pid back_at="" ended status
  started=$(now)
  task=$(create_task)
  wait_for "$task" "in_progress complete" > /dev/null
  if [[ -n "$2" ]]; then
    pid=$(find_process "$2")
    kill -9 "$pid"
    killed_at=$(now)
    until [[ -n "$(find_process "$2")" && "$(find_process "$2")" != "$pid" ]]; do sleep 0.1; done
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
run_task "certengine" "net10.0/BulkCerts.CertEngine$"
run_task "api" "net10.0/BulkCerts.Api$"
run_task "redis" "redis-server 127.0.0.1:"
run_task "no fault" ""
