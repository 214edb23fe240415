#!/usr/bin/env bash
# Issues device certificates with plain openssl commands, as a user would without BulkCerts, and
# prints the throughput as a reference for the service's figures. Per device it runs
# openssl genpkey, req -new, x509 -req (signed by a throwaway RSA-2048 CA, the algorithm of the
# engine's development CA) and pkey, with the same extensions as the engine's device certificates.
# The CA is created before the clock starts. Everything is written to a temporary folder, which is
# removed on exit.
# Usage: scripts/openssl-loop.sh rsa|ec COUNT [PARALLEL]
#   rsa: RSA-2048 device keys, written as PKCS#1 like the engine's default; ec: EC P-256, PKCS#8.
#   COUNT: certificates in total. PARALLEL: loops run at once, default the number of processors.
# The last line of output has the form:
#   openssl-loop algorithm=ec count=200 parallel=2 seconds=11.8 per_second=16.9
set -euo pipefail

usage() {
  echo "Usage: $0 rsa|ec COUNT [PARALLEL]" >&2
  exit 2
}

is_positive_integer() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }

if (($# < 2 || $# > 3)); then
  usage
fi

algorithm=$1
count=$2
parallel=${3:-$(nproc)}

case $algorithm in
  rsa)
    key_options=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048)
    key_usage=digitalSignature,keyEncipherment
    pkey_options=(-traditional)
    ;;
  ec)
    key_options=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256)
    key_usage=digitalSignature
    pkey_options=()
    ;;
  *)
    echo "Invalid algorithm '$algorithm'; use rsa or ec." >&2
    usage
    ;;
esac

if ! is_positive_integer "$count"; then
  echo "Invalid COUNT '$count'; use a positive integer." >&2
  usage
fi
if ! is_positive_integer "$parallel"; then
  echo "Invalid PARALLEL '$parallel'; use a positive integer." >&2
  usage
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/openssl-loop.XXXXXX")
loop_pids=()

cleanup() {
  for pid in "${loop_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command that reports success on stderr, and shows that output only when the command fails.
quietly() {
  local output
  if ! output=$("$@" 2>&1); then
    printf '%s\n' "$output" >&2
    return 1
  fi
}

quietly openssl req -x509 -newkey rsa:2048 -noenc -sha256 -days 3650 -subj "/O=BulkCerts/CN=openssl-loop CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
  -keyout "$work/ca.key" -out "$work/ca.crt"

cat >"$work/device.ext" <<EXT
basicConstraints = critical, CA:FALSE
keyUsage = critical, $key_usage
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT

# Without -CAserial or -CAcreateserial, and with no ca.srl file, OpenSSL 3 picks a random serial,
# so the parallel loops share no serial file.
issue_device() {
  local name=$1 dir=$work/devices
  openssl genpkey -quiet "${key_options[@]}" -out "$dir/$name.generated.pem"
  openssl req -new -key "$dir/$name.generated.pem" -subj "/O=BulkCerts/CN=$name" -out "$dir/$name.csr"
  quietly openssl x509 -req -in "$dir/$name.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -sha256 -days 365 \
    -extfile "$work/device.ext" -out "$dir/${name}_cert.pem"
  openssl pkey "${pkey_options[@]}" -in "$dir/$name.generated.pem" -out "$dir/${name}_key.pem"
}

# Loop number $1 issues every device whose index leaves remainder $1 when divided by $parallel.
run_loop() {
  local index
  for ((index = $1; index < count; index += parallel)); do
    issue_device "$(printf 'device-%06d' "$index")"
  done
}

mkdir "$work/devices"
start=$(date +%s.%N)
for ((loop = 0; loop < parallel; loop++)); do
  run_loop "$loop" &
  loop_pids+=($!)
done

failed=0
for pid in "${loop_pids[@]}"; do
  wait "$pid" || failed=1
done
loop_pids=()
end=$(date +%s.%N)

if ((failed)); then
  echo "An openssl command failed; see the messages above." >&2
  exit 1
fi

issued=$(find "$work/devices" -name '*_cert.pem' | wc -l)
if ((issued != count)); then
  echo "Expected $count certificates but found $issued." >&2
  exit 1
fi
openssl verify -CAfile "$work/ca.crt" "$work/devices/device-000000_cert.pem" >/dev/null

awk -v algorithm="$algorithm" -v count="$count" -v parallel="$parallel" -v start="$start" -v end="$end" \
  'BEGIN {
    seconds = end - start
    printf "openssl-loop algorithm=%s count=%d parallel=%d seconds=%.1f per_second=%.1f\n",
      algorithm, count, parallel, seconds, count / seconds
  }'
