# qa/web-fixtures/common-web.sh: helpers for the web view's tests (700-719), sourced after
# common.sh (and pmda-fixtures/common-pmda.sh for the tests that need the PMDA).
#   _need_browser        playwright-core (pinned in web-fixtures/package-lock.json, installed
#                        here with npm ci on first use) and Debian's /usr/bin/chromium
#   _web_start           start `agentbench web` on a free port: $WEB_URL, $WEB_PID
#   _web_node SECS SCRIPT ARGS...   run a node scenario (it imports
#                        web-fixtures/browser.mjs), its browser part bounded to SECS seconds;
#                        its output is printed when it ends. If pmproxy aborted meanwhile
#                        (below), pmproxy is started again and the scenario runs once more.
#
# PCP 6.0.3's pmproxy aborts now and then while the web tests use it: "pmproxy: dict.c:191:
# dictRehash: Assertion `d->ht[0].size > (unsigned long)d->rehashidx' failed." as its log's
# last line, the process gone (found in a clean-clone run's 702, just after a page had
# dropped its context for a new one; the likely cause of two earlier unexplained time-outs
# of 701 and 702 under load). A bug in pmproxy's own dict code, outside agentbench, that a
# user of pmproxy 6.0.3 meets too: the page shows its banner until pmproxy is back. Such an
# abort is not the test's failure: it is recorded in $seq.full and the scenario repeated
# once; any other failure is the test's.
WEB_FIXTURES=$here/web-fixtures
WEB_DIR=$top/runner/web

[ -x "$AGENTBENCH" ] || _notrun "runner/agentbench is not built"
[ -f "$WEB_DIR/vendor/d3.min.js" ] || _notrun "runner/web/vendor is missing: make -C runner vendors it"

_need_browser() {
    command -v node >/dev/null || _notrun "node is not installed"
    [ -x /usr/bin/chromium ] || _notrun "chromium is not installed"
    local stamp=$WEB_FIXTURES/node_modules/.package-lock.json
    if [ ! -f "$stamp" ] || [ "$WEB_FIXTURES/package-lock.json" -nt "$stamp" ]; then
        (cd "$WEB_FIXTURES" && flock "$WEB_FIXTURES/package.json" env PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
            npm ci --prefer-offline --no-audit --no-fund --loglevel=error) >"$tmp/npm.out" 2>&1 \
            || { cat "$tmp/npm.out"; _fail "npm ci in qa/web-fixtures failed (is the npm registry reachable?)"; }
    fi
}

_web_start() {
    # a fresh ready file: the server's redirection truncates it only once the background
    # job runs, so a second start could read the first server's (gone) address
    rm -f "$tmp/web.ready" "$tmp/web.err"
    "$AGENTBENCH" web --listen 127.0.0.1:0 "$@" >"$tmp/web.ready" 2>"$tmp/web.err" &
    WEB_PID=$!
    _cleanup_add "kill $WEB_PID"
    local i
    for ((i = 0; i < 100; i++)); do grep -q ready "$tmp/web.ready" 2>/dev/null && break; sleep 0.05; done
    WEB_URL=$(sed -n 's/.* url=\([^ ]*\) .*/\1/p' "$tmp/web.ready")
    [ -n "$WEB_URL" ] || { cat "$tmp/web.err"; _fail "agentbench web did not start"; }
}

_web_pmproxy_aborted() {
    local log
    log=$(. /etc/pcp.conf && echo "$PCP_LOG_DIR/pmproxy/pmproxy.log")
    ! curl -s -o /dev/null --max-time 2 http://localhost:44323/pmapi/context && tail -1 "$log" 2>/dev/null | grep -q 'Assertion .* failed'
}

_web_node() {
    local secs=$1 try rc; shift
    for try in 1 2; do
        WEB_SCENARIO_S=$secs timeout $((secs + 20)) node "$@" >"$tmp/web-node.out" 2>&1
        rc=$?
        [ "$try" = 1 ] && _web_pmproxy_aborted || break
        {
            echo "pmproxy aborted during the scenario (its log's last line below); started again, the scenario repeated"
            tail -1 "$(. /etc/pcp.conf && echo "$PCP_LOG_DIR/pmproxy/pmproxy.log")"
            sed 's/^/first try: /' "$tmp/web-node.out"
        } >>"$here/$seq.full"
        /etc/init.d/pmproxy start >/dev/null 2>&1
        _wait_for_url http://localhost:44323/pmapi/context 20 >/dev/null || true
    done
    cat "$tmp/web-node.out"
    return $rc
}
