#!/bin/sh
# A jobq alert command that mails each alert with sendmail (any MTA's: exim4, postfix, dma, msmtp).
#
#   jobq supervise QUEUE --alert-exec /usr/local/lib/jobq/alerts/mail.sh -- ...
#
# jobq runs it with the event kind as its argument and the event (JSON, docs/alerts.md) on stdin.
# Settings, from the environment:
#   JOBQ_ALERT_MAIL_TO      the recipient(s), comma-separated (required)
#   JOBQ_ALERT_MAIL_FROM    the sender (default: the MTA's)
#   JOBQ_ALERT_SENDMAIL     the sendmail program (default: /usr/sbin/sendmail)
# Needs jq. The subject is the summary; the body lists the details, then the event itself.
set -eu

kind=${1:?usage: mail.sh KIND < event.json}
to=${JOBQ_ALERT_MAIL_TO:?mail.sh: set JOBQ_ALERT_MAIL_TO}
event=$(cat)
# One line, no control characters: nothing in the event can add a header.
subject=$(printf '%s' "$event" | jq -r '"[jobq " + .severity + "] " + .summary' | tr -d '\000-\037' | cut -c1-200)

{
    printf 'To: %s\n' "$to"
    if [ -n "${JOBQ_ALERT_MAIL_FROM:-}" ]; then printf 'From: %s\n' "$JOBQ_ALERT_MAIL_FROM"; fi
    printf 'Subject: %s\n' "$subject"
    printf 'X-Jobq-Alert: %s\n' "$kind"
    printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n'
    printf '%s' "$event" | jq -r '.summary, "",
        "queue:      \(.queue // "-")", "kind:       \(.kind) (\(.severity))", "when:       \(.at)",
        "where:      \(.host), jobq \(.source) (pid \(.pid))",
        (if .suppressed > 0 then "suppressed: \(.suppressed) of this kind since the last mail" else empty end),
        "", (.details | to_entries[] | select(.value != "") | "\(.key):\n\(.value | split("\n") | map("  " + .) | join("\n"))")'
    printf '\nThe event:\n%s\n' "$event"
} | "${JOBQ_ALERT_SENDMAIL:-/usr/sbin/sendmail}" -t -i
