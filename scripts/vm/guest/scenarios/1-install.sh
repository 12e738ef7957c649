# 1. Install: apt install ./jobq.deb offline, enable the supervisor, Type=notify, the journal.
begin install
deb=$(ls "$SHARE"/debs/jobq_*.deb | grep -v '+' | head -n 1)
started=$SECONDS
check "apt-get install $(basename "$deb") (offline)" apt-get install -y -q "$deb"
figure "installed in $((SECONDS - started)) s"
check "package installed" test "$(dpkg-query -W -f '${Status}' jobq 2>/dev/null)" = "install ok installed"
figure "Depends: $(dpkg-query -W -f '${Depends}' jobq)"
check "system user jobq" getent passwd jobq
check "/etc/jobq is root:jobq 750" test "$(stat -c '%U:%G %a' /etc/jobq)" = "root:jobq 750"
check "/etc/jobq/jobq.env is root:jobq 640" test "$(stat -c '%U:%G %a' /etc/jobq/jobq.env)" = "root:jobq 640"
check "/var/lib/jobq is jobq's" test "$(stat -c '%U' /var/lib/jobq)" = jobq
check "nothing enabled or started by the package" test -z "$(systemctl list-units --all --no-legend 'jobq-supervisor@*' 'jobq-drain@*')"
check "redis answers" test "$(redis-cli PING)" = PONG

started=$SECONDS
check "systemctl enable --now jobq-supervisor@ingest" systemctl enable --now jobq-supervisor@ingest
figure "enable --now returned after $((SECONDS - started)) s"
check "Type=notify" test "$(prop jobq-supervisor@ingest Type)" = notify
check "active (running)" test "$(prop jobq-supervisor@ingest ActiveState)/$(prop jobq-supervisor@ingest SubState)" = active/running
status_text=$(prop jobq-supervisor@ingest StatusText)
check "STATUS= reached systemd" test -n "$status_text"
figure "StatusText: $status_text"
sleep 1
journalctl -u jobq-supervisor@ingest -o short-iso --no-pager >"$OUT/journal-install.txt"
lines=$(journalctl -u jobq-supervisor@ingest -o cat --no-pager | grep -vcE '^(Starting|Started) ')
stamped=$(journalctl -u jobq-supervisor@ingest -o cat --no-pager | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}' || true)
check "the supervisor logged to the journal" test "$lines" -gt 0
check "no line carries a second timestamp" test "$stamped" = 0
figure "journal: $lines line(s) from the service, $stamped with a timestamp of their own"
figure "first: $(journalctl -u jobq-supervisor@ingest -o cat --no-pager | grep -vE '^(Starting|Started) ' | head -n 1)"
# The dashboard from the package: its unit starts, its API and /metrics answer.
check "systemctl start jobq-web" systemctl start jobq-web
# GET PATH from the dashboard over bash's /dev/tcp, the whole answer (at most 10 s).
http_get() {
  timeout 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 || exit 1
    printf "GET %s HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n" "$1" >&3
    cat <&3' _ "$1" || true
}
api=""
for _ in $(seq 1 30); do api=$(http_get /api/queues 2>/dev/null) && [ -n "$api" ] && break; sleep 1; done
check "jobq-web active" is_state jobq-web active
check "GET /api/queues answers 200" grep -q '^HTTP/1.[01] 200' <<<"$api"
check "GET /api/queues is the stats document" grep -q '"schema"' <<<"$api"
figure "queues on the dashboard: $(grep -oE '"queue" *: *"[^"]*"' <<<"$api" | cut -d'"' -f4 | paste -sd, -)"
check "GET /metrics has jobq series" grep -q '^jobq_' <<<"$(http_get /metrics 2>/dev/null)"
figure "jobq-web RSS $(awk '/^VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$(prop jobq-web MainPID)/status" 2>/dev/null)"
check "systemctl stop jobq-web" systemctl stop jobq-web
finish
