# qa/pmda-fixtures/common-pmda.sh: helpers for the pmdaagentbench tests (400-499), sourced
# after common.sh.
#   _pmda_setup            fresh results dir $tmp/res, config $tmp/ab.conf, cache dir
#   _pmda_suite NAME FILE  install FILE as RESULTS/NAME/journal.jsonl and point latest at it
#   _dbpmda [ARGS]         run dbpmda on the commands read from stdin against the tree's PMDA
#   _filter_dbpmda         drop addresses, pids and the like from dbpmda's output
#   _pmda_store_user       a SASL user of pmcd that store_users allows ($STORE_USER, $STORE_PASS)

PMDA_DIR=$top/pmda
FIXTURES=$here/pmda-fixtures

[ -x "$PMDA" ] || _notrun "pmda/pmdaagentbench is not built"
command -v dbpmda >/dev/null || _notrun "dbpmda (pcp) is not installed"
# Every PMDA test holds the machine-wide qa lock, also those that run the PMDA under dbpmda
# without pmcd: PCP's Install and Remove (pmdaproc.sh, __pmda_cull) send SIGTERM to every
# process named pmdaagentbench on the machine, so another checkout's test installing the
# PMDA would kill a dbpmda session's PMDA. (Here, in the test's own shell: _exclusive in a
# pipeline's subshell would leave the lock held.)
_exclusive

_pmda_setup() {
    mkdir -p "$tmp/res" "$tmp/var/config/pmda" "$tmp/fg"
    cat >"$tmp/ab.conf" <<END
results = $tmp/res
flamegraph_dir = $tmp/fg
END
}

_pmda_suite() {
    mkdir -p "$tmp/res/$1"
    cp "$2" "$tmp/res/$1/journal.jsonl"
    ln -sfn "$1" "$tmp/res/latest"
}

# The PMDA keeps its instance-id cache under $PCP_VAR_DIR/config/pmda: a private one here.
_dbpmda() {
    sed -e "s|@PMDA@|$PMDA -c $tmp/ab.conf -h $PMDA_DIR/help -l $tmp/pmda.log|" \
        | PCP_VAR_DIR=$tmp/var timeout 60 dbpmda -n "$PMDA_DIR/root" -ie "$@" 2>&1
}

_filter_dbpmda() {
    sed -E -e 's/__pmResult dump from 0x[0-9a-f]+ timestamp: .* numpmid/__pmResult numpmid/' \
           -e "s|$tmp|TMP|g" -e "s|$PMDA_DIR|PMDADIR|g" -e "s|$top|TOP|g" \
           -e 's/(value [0-9.e+-]+) [0-9.e+-]+ 0x[0-9a-f]+$/\1/'
}

# _dbpmda_session: like _dbpmda, but through a terminal, one command at a time, and lines
# "! CMD" run CMD between two commands (to change the journal under a running PMDA).
_dbpmda_session() {
    sed -e "s|@PMDA@|$PMDA -c $tmp/ab.conf -h $PMDA_DIR/help -l $tmp/pmda.log|" >"$tmp/session"
    PCP_VAR_DIR=$tmp/var timeout 60 /usr/bin/python3 "$FIXTURES/dbpmda-session.py" \
        "$tmp/session" -- dbpmda -n "$PMDA_DIR/root" -ie "$@" 2>&1
}

# _pmda_live CONF: install the tree's PMDA into the machine's pmcd with configuration file
# CONF (any extra environment for Install before the call); at exit the previous
# configuration comes back and the PMDA is removed, or reinstalled if it was there.
_pmda_live() {
    _need_pmcd
    export PCPQA_SYSTEMD=no
    local sysconf=/etc/pcp/agentbench
    . /etc/pcp.conf
    sysconf=$PCP_SYSCONF_DIR/agentbench
    mkdir -p "$sysconf"
    # Cleanups run last-added first: the saved configuration goes back before the
    # previous installation is restored, so the restored PMDA reads it.
    local prev
    prev=$(awk '$1 == "agentbench" { print $2 }' "$PCP_PMCDCONF_PATH" 2>/dev/null)
    if [ -n "$prev" ]; then
        _cleanup_add "cd $PCP_PMDAS_DIR/agentbench && AGENTBENCH_DOMAIN=$prev PCPQA_SYSTEMD=no ./Install </dev/null >/dev/null 2>&1"
    else
        _cleanup_add "cd $PCP_PMDAS_DIR/agentbench && PCPQA_SYSTEMD=no ./Remove </dev/null >/dev/null 2>&1"
    fi
    if [ -f "$sysconf/agentbench.conf" ]; then
        cp -p "$sysconf/agentbench.conf" "$tmp/saved.conf"
        _cleanup_add "cp -p $tmp/saved.conf $sysconf/agentbench.conf"
    else
        _cleanup_add "rm -f $sysconf/agentbench.conf"
    fi
    cp "$1" "$sysconf/agentbench.conf"
    (cd "$PMDA_DIR" && ./Install </dev/null >"$tmp/install.out" 2>&1) \
        || { cat "$tmp/install.out"; _fail "Install failed"; }
    grep -q "Check agentbench metrics have appeared" "$tmp/install.out" \
        || { cat "$tmp/install.out"; _fail "Install did not check the metrics"; }
    local i
    for ((i = 0; i < 50; i++)); do
        pminfo -f agentbench.journal.present 2>/dev/null | grep -q value && break
        sleep 0.1
    done
    pminfo -f agentbench.journal.present 2>/dev/null | grep -q value \
        || { cat "$tmp/install.out"; pminfo -f agentbench.journal.present; _fail "agentbench metrics missing after Install"; }
}

# _pmda_store_user: a SASL user of the machine's pmcd, $STORE_USER with password
# $STORE_PASS, in the sasldb that /etc/sasl2/pmcd.conf names (removed at exit, the file
# too if it was not there), and added with root to $tmp/ab.conf's store_users. pmcd 6
# takes a SASL login only for a local account: one is made (no home, no shell, no
# password) and removed at exit when it was not there. Clients then log in as it:
# `pmstore -h 'localhost?username=U&password=P'`, or HTTP Basic auth to pmproxy (which
# refuses credentials in a hostspec without it: "authentication required").
_pmda_store_user() {
    command -v saslpasswd2 >/dev/null || _notrun "saslpasswd2 (sasl2-bin) not installed"
    local db
    db=$(sed -n 's/^sasldb_path: *//p' /etc/sasl2/pmcd.conf 2>/dev/null)
    [ -n "$db" ] || _notrun "/etc/sasl2/pmcd.conf names no sasldb_path"
    STORE_USER=abqa-$seq
    STORE_PASS=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    if ! id "$STORE_USER" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$STORE_USER" \
            || _fail "useradd $STORE_USER failed"
        _cleanup_add "userdel $STORE_USER"
    fi
    [ -e "$db" ] || _cleanup_add "rm -f $db"
    echo "$STORE_PASS" | saslpasswd2 -p -c -a pmcd -f "$db" "$STORE_USER" || _fail "saslpasswd2 failed"
    _cleanup_add "saslpasswd2 -d -a pmcd -f $db $STORE_USER"
    chown root:pcp "$db" 2>/dev/null; chmod 640 "$db"
    echo "store_users = root $STORE_USER" >>"$tmp/ab.conf"
}
