#!/bin/sh
# A jobq alert command that writes each alert to the systemd journal, at a priority from its
# severity (critical → crit, warning → warning, info → info), as jobq-alert.
#
#   jobq supervise QUEUE --alert-exec /usr/local/lib/jobq/alerts/journal.sh -- ...
#   journalctl -t jobq-alert            # the alerts; -p crit for the critical ones
#
# jobq runs it with the event kind as its argument and the event (JSON, docs/alerts.md) on stdin.
# Needs jq and systemd-cat (a running journal).
set -eu

kind=${1:?usage: journal.sh KIND < event.json}
event=$(cat)
priority=$(printf '%s' "$event" | jq -r '{critical: "crit", warning: "warning", info: "info"}[.severity] // "notice"')
printf '%s' "$event" | jq -r --arg kind "$kind" '"\($kind) \(.queue // "-"): \(.summary)"
    + (if .suppressed > 0 then " (\(.suppressed) more suppressed since the last)" else "" end)' |
    systemd-cat --identifier=jobq-alert --priority="$priority"
