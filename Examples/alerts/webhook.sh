#!/bin/sh
# A jobq alert command that posts each alert to a webhook.
#
#   jobq supervise QUEUE --alert-exec /usr/local/lib/jobq/alerts/webhook.sh -- ...
#
# jobq runs it with the event kind as its argument and the event (JSON, docs/alerts.md) on stdin.
# Settings, from the environment (e.g. the systemd unit's EnvironmentFile):
#   JOBQ_ALERT_WEBHOOK_URL       where to post; or JOBQ_ALERT_WEBHOOK_URL_FILE, a file holding it
#   JOBQ_ALERT_WEBHOOK_FORMAT    slack (default): {"text": ...}, understood by Slack, Mattermost,
#                                Rocket.Chat and Discord's /slack endpoints;
#                                ntfy: ntfy's JSON publish ({"topic", "title", "message",
#                                "priority", "tags"}), posted to the server's root URL
#   JOBQ_ALERT_NTFY_TOPIC        the ntfy topic (format ntfy)
# Needs curl and jq. The URL reaches curl through its config on stdin, not its arguments, so
# that other users do not see it in the process list. Exits non-zero when the post fails: jobq
# logs it.
set -eu

kind=${1:?usage: webhook.sh KIND < event.json}
url=${JOBQ_ALERT_WEBHOOK_URL:-}
if [ -z "$url" ] && [ -n "${JOBQ_ALERT_WEBHOOK_URL_FILE:-}" ]; then
    url=$(cat "$JOBQ_ALERT_WEBHOOK_URL_FILE")
fi
if [ -z "$url" ]; then
    echo "webhook.sh: set JOBQ_ALERT_WEBHOOK_URL (or JOBQ_ALERT_WEBHOOK_URL_FILE)" >&2
    exit 64
fi
event=$(cat)

case "${JOBQ_ALERT_WEBHOOK_FORMAT:-slack}" in
slack)
    body=$(printf '%s' "$event" | jq -c '{text: ("[" + (.severity | ascii_upcase) + "] " + .summary
        + (if .suppressed > 0 then " (\(.suppressed) more suppressed since the last)" else "" end))}')
    ;;
ntfy)
    topic=${JOBQ_ALERT_NTFY_TOPIC:?webhook.sh: set JOBQ_ALERT_NTFY_TOPIC for the ntfy format}
    body=$(printf '%s' "$event" | jq -c --arg topic "$topic" '{topic: $topic,
        title: ("jobq: " + .kind + (if .queue then " on " + .queue else "" end)),
        message: (.summary + (if .suppressed > 0 then " (\(.suppressed) more suppressed since the last)" else "" end)),
        priority: ({critical: 5, warning: 4, info: 3}[.severity] // 3),
        tags: [.severity, .kind]}')
    ;;
*)
    echo "webhook.sh: JOBQ_ALERT_WEBHOOK_FORMAT must be slack or ntfy" >&2
    exit 64
    ;;
esac

curl --silent --show-error --fail --max-time 8 --output /dev/null \
    --header 'Content-Type: application/json' --data-binary "$body" --config - <<CONFIG
url = "$url"
CONFIG
echo "webhook.sh: posted $kind" >&2
