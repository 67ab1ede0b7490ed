# serve.sh, sourced by makerun.sh and makehar.sh: starts and stops the mock
# server of a run.

# start_server WORK FLAGS...: builds nothing; starts WORK/mockapi on
# 127.0.0.1:18080 with the truth file WORK/truth.jsonl and the flags, and
# waits until it answers. The server is stopped by its own process id when
# the script exits, whatever happens.
start_server() {
	local work=$1
	shift
	"$work/mockapi" -addr 127.0.0.1:18080 -truth "$work/truth.jsonl" "$@" >"$work/server.log" 2>&1 &
	spid=$!
	trap 'kill "$spid" 2>/dev/null || true' EXIT
	for _ in $(seq 50); do
		curl -fs -o /dev/null http://127.0.0.1:18080/healthz && return 0
		sleep 0.1
	done
	echo "mock server did not start; see $work/server.log" >&2
	return 1
}

# stop_server: SIGTERM, so that uploads in flight get their verdict written.
stop_server() {
	kill -TERM "$spid"
	wait "$spid" || true
	trap - EXIT
}
