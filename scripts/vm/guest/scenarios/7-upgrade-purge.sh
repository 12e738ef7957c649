# The package upgraded under a running supervisor, then purged.
begin upgrade
new=$(ls "$SHARE"/debs/jobq_*+*.deb | head -n 1)
old_version=$(dpkg-query -W -f '${Version}' jobq)
echo "# a local setting" >>/etc/jobq/jobq.env
pid=$(prop jobq-supervisor@ingest MainPID)
check "the supervisor runs before the upgrade" is_state jobq-supervisor@ingest.service active
started=$SECONDS
check "apt-get install $(basename "$new") over $old_version" apt-get install -y -q "$new"
figure "upgrade $old_version -> $(dpkg-query -W -f '${Version}' jobq) in $((SECONDS - started)) s"
check "the local edit of the conffile is kept" grep -q '^# a local setting' /etc/jobq/jobq.env
check "the supervisor kept running (not restarted by the package)" test "$(prop jobq-supervisor@ingest MainPID)/$(prop jobq-supervisor@ingest ActiveState)" = "$pid/active"
figure "running supervisor after the upgrade: $(readlink /proc/$pid/exe)"
check "the drop-ins are kept" test -f /etc/systemd/system/jobq-supervisor@ingest.service.d/command.conf
check "systemctl restart picks up the new binary" systemctl restart jobq-supervisor@ingest
check "its exe is the new file" test "$(readlink /proc/$(prop jobq-supervisor@ingest MainPID)/exe)" = /usr/bin/jobq
for n in 1 2 3 4 5; do jobq enqueue ingest '{"sleep": 0.1}' --id "after-upgrade-$n" >/dev/null; done
check "jobs done after the upgrade" wait_until 120 settled ingest
check "5 jobs done" test "$(grep -c '^after-upgrade-' /var/lib/jobq/done.txt)" = 5
finish

begin purge
started=$SECONDS
check "apt-get purge jobq with the supervisor running and the timer enabled" apt-get purge -y -q jobq
figure "purged in $((SECONDS - started)) s"
check "package gone" bash -c '! dpkg-query -W -f "\${Status}" jobq 2>/dev/null | grep -q installed'
leftovers=$(ls -d /etc/jobq /var/lib/jobq /usr/bin/jobq /usr/bin/ingest-worker /lib/systemd/system/jobq-* /usr/lib/sysusers.d/jobq.conf /usr/lib/tmpfiles.d/jobq.conf 2>/dev/null; find /etc/systemd/system -name 'jobq-supervisor@*' -o -name 'jobq-drain@*' 2>/dev/null)
check "no file left: ${leftovers:-none}" test -z "$leftovers"
units=$(systemctl list-units --all --no-legend 'jobq-supervisor@*' 'jobq-drain@*' 2>/dev/null)
check "no unit left: ${units:-none}" test -z "$units"
check "no process left" bash -c '! pgrep -x jobq && ! pgrep -x ingest-worker'
cgroups=$(find /sys/fs/cgroup -name 'jobq-*' ! -name 'jobq-vm-test.service' 2>/dev/null)
check "no cgroup left: ${cgroups:-none}" test -z "$cgroups"
figure "user jobq kept: $(getent passwd jobq | cut -d: -f1,3)"
finish
