#!/usr/bin/env bash
# Drives the ots-server command the way a test suite in another language would: start it in the background, take
# the URL from its first stdout line, call the API with curl, stop it with a signal and collect the exit status.
# Usage: cli-smoke.sh [TERM|INT] [flags|env]: stop signal, and whether port and account are given as command-line
# options or as environment variables. Prints key=value lines (cli.test.ts asserts them); exits 1 if no URL came.
set -u
signal=${1:-TERM}
config_by=${2:-flags}
root=$(cd "$(dirname "$0")/../.." && pwd)
account=alice@example.com:sometoken123-0123456789abcdefghij
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A FIFO lets `read` block until the first line arrives (no polling), and still yields the rest of stdout at exit.
mkfifo "$work/stdout"
if [ "$config_by" = env ]; then
  PORT=0 OTS_ACCOUNTS=$account node "$root/dist/cli/ots-server.js" >"$work/stdout" 2>"$work/stderr" &
else
  node "$root/dist/cli/ots-server.js" --port 0 --account "$account" >"$work/stdout" 2>"$work/stderr" &
fi
pid=$!
exec 3<"$work/stdout"
if ! IFS= read -r -t 30 url <&3; then
  echo "error=no URL on stdout; stderr: $(cat "$work/stderr")"
  kill -KILL "$pid" 2>/dev/null
  exit 1
fi
echo "url=$url"

api="$url/api/v1"
echo "status=$(curl -sS "$api/status")"
echo "authcheck=$(curl -sS -u "$account" "$api/authcheck")"
echo "authcheck_wrong_token=$(curl -sS -u alice@example.com:wrong-token-123 "$api/authcheck")"
# Parameters in the query string of a POST, as many clients send them.
shared=$(curl -sS -X POST -u "$account" "$api/share?secret=from-bash&ttl=600")
secret_key=$(printf '%s' "$shared" | sed -n 's/.*"secret_key":"\([0-9a-z]*\)".*/\1/p')
echo "reveal=$(curl -sS -X POST "$api/secret/$secret_key")"
echo "reveal_again=$(curl -sS -X POST "$api/secret/$secret_key")"

kill -"$signal" "$pid"
# Bounded: if the signal were ignored, the server is killed after 15 s (and exit then reads 137).
for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$pid" 2>/dev/null
wait "$pid"
echo "exit=$?"
echo "stdout_after_url=$(cat <&3)"
echo "stderr=$(tr '\n' ' ' <"$work/stderr")"
