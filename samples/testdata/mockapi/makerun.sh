#!/usr/bin/env bash
# makerun.sh RUN [DEST]: makes one real JMeter run of samples/testdata/jmeter/RUN
# against the mock API on 127.0.0.1:18080 and writes results.csv.gz,
# results.xml.gz and truth.jsonl.gz into DEST (default: that run's folder).
# The plan is the run's plan.jmx; the server flags and the -J properties of
# each run are in the table below, as its run.md states them.
#
# Needs: Go, a JDK (javac; Java 17 here), Debian's JMeter 2.13
# (apt-get install jmeter jmeter-http; or JMETER_HOME pointing at another
# JMeter home with bin/ and lib/ext/), curl, gzip. Port 18080 must be free.
set -euo pipefail

run=${1:?usage: makerun.sh RUN [DEST]}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=serve.sh
. "$here/serve.sh"
plandir=$(cd "$here/../jmeter/$run" && pwd)
dest=${2:-$plandir}
jmeter_home=${JMETER_HOME:-/usr/share/jmeter}

case $run in
m4-token-limit-boundary)
	server="-max-inflight 20 -work-ms 800 -token-ttl 50s"
	props="-Jthreads=50 -Jrampup=45 -Jduration=65 -Jthink=200" ;;
m5-dupid-ms)
	server="-reject-dup-ids -work-ms 100"
	props="-Jthreads=50 -Jrampup=50 -Jduration=65 -Jthink=150" ;;
m6-429-resend)
	server="-rate-limit 40 -late-429 0.5 -reject-dup-ids -work-ms 150 -seed 6"
	props="-Jthreads=40 -Jrampup=40 -Jduration=70 -Jthink=200" ;;
m7-token-throttled)
	server="-token-rate-limit 6 -bad-token-400 -work-ms 100"
	props="-Jthreads=40 -Jrampup=4 -Jduration=45 -Jthink=200" ;;
m8-partnames-limit)
	server="-require-part-names -max-inflight 20 -work-ms 400"
	props="-Jthreads=50 -Jrampup=50 -Jduration=65 -Jthink=200" ;;
m9-random)
	server="-random-reject 0.1 -work-ms 100 -seed 9"
	props="-Jthreads=20 -Jrampup=60 -Jduration=75 -Jthink=200" ;;
*)
	echo "makerun.sh: no settings for run $run" >&2; exit 2 ;;
esac

# EXTRA_PROPS (e.g. -Jduration=10) is appended, for a quick try of a plan.
props="$props ${EXTRA_PROPS:-}"

work=$(mktemp -d)
echo "makerun: $run in $work"
go build -o "$work/mockapi" "$here"
javac -d "$work/launch" "$here/jmeter/XStreamOpen.java"
"$work/mockapi" -write-clips "$work"

# shellcheck disable=SC2086
start_server "$work" $server

cp=$work/launch:$jmeter_home/bin/ApacheJMeter.jar
for j in "$jmeter_home"/lib/*.jar "$jmeter_home"/lib/ext/*.jar; do cp=$cp:$j; done
# shellcheck disable=SC2086
java -cp "$cp" -Djmeter.home="$jmeter_home" XStreamOpen -n -t "$plandir/plan.jmx" -j "$work/jmeter.log" \
	-Jout="$work" -Jclip="$work/clip.webm" -Jlegacyclip="$work/legacy-clip.b64" -Jsample_variables=recId $props

stop_server

mkdir -p "$dest"
for f in results.csv results.xml truth.jsonl; do
	gzip -9 -n -c "$work/$f" >"$dest/$f.gz"
done
echo "makerun: server: $server"
echo "makerun: jmeter: $props"
ls -la "$dest"
echo "makerun: logs kept in $work"
