#!/usr/bin/env bash
# makehar.sh [DEST]: makes the HAR capture m10-clean-har: Debian's Chromium,
# driven by Playwright with HAR recording on, opens the mock API's web agent
# page (/agent/), which fetches a token and uploads clips with fetch() and
# FormData; writes capture.har.gz and truth.jsonl.gz into DEST (default:
# samples/testdata/jmeter/m10-clean-har).
#
# Needs: Go, Node.js and npm (playwright-core is installed into a temporary
# folder from the npm registry unless PLAYWRIGHT_DIR holds a node_modules
# with it), Debian's chromium, curl, gzip. Port 18080 must be free.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=serve.sh
. "$here/serve.sh"
dest=${1:-$here/../jmeter/m10-clean-har}
server="-work-ms 80"
page="/agent/?workers=6&uploads=12&think=200"

work=$(mktemp -d)
echo "makehar: in $work"
go build -o "$work/mockapi" "$here"
pw=${PLAYWRIGHT_DIR:-$work/pw}
if [ ! -d "$pw/node_modules/playwright-core" ]; then
	mkdir -p "$pw"
	(cd "$pw" && npm init -y >/dev/null && npm install --no-audit --no-fund playwright-core@1.65.1 >/dev/null)
fi
cp "$here/har/capture.mjs" "$pw/capture.mjs"

# shellcheck disable=SC2086
start_server "$work" $server

node "$pw/capture.mjs" "$work/capture.har" "http://127.0.0.1:18080$page"

stop_server

mkdir -p "$dest"
gzip -9 -n -c "$work/capture.har" >"$dest/capture.har.gz"
gzip -9 -n -c "$work/truth.jsonl" >"$dest/truth.jsonl.gz"
echo "makehar: server: $server; page: $page"
ls -la "$dest"
echo "makehar: logs kept in $work"
