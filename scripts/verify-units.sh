#!/usr/bin/env bash
# Checks the systemd units shipped in systemd/ (or the directory given) without installing them:
#   - `systemd-analyze verify` on every unit (templates as NAME@test.service / NAME@test.timer,
#     a timer together with its service), alone and with each drop-in of systemd/drop-ins/; any
#     warning that names one of our units or files fails the check, except, on a systemd older
#     than a drop-in needs, "unknown key" for the keys its "Needs:" line names;
#   - a bare % in Exec*/Environment* lines (systemd would read it as a specifier: write %%);
#   - every --option in an ExecStart= line exists in the built binary's --help;
#   - services keep their hardening: `systemd-analyze security` exposure at most 4.0 (systemd 250+);
#   - the environment file example is NAME=value lines and comments only.
#
# usage: scripts/verify-units.sh [UNITS_DIR]
#
# systemd-analyze checks that ExecStart= programs exist, so the units are verified as copies whose
# /usr/local/bin/jobq and /usr/local/bin/ingest-worker point at built binaries: those in
# JOBQ_BIN_DIR, else in `swift build --show-bin-path` (built there first if missing).
# Needs the systemd package (apt-get install systemd) for systemd-analyze; systemd need not be
# running (PID 1 may be anything, as in a container).
set -euo pipefail
cd "$(dirname "$0")/.."

units_dir=${1:-systemd}
[ -d "$units_dir" ] || { echo "verify-units: no directory $units_dir" >&2; exit 1; }
units_dir=$(cd "$units_dir" && pwd -P)
command -v systemd-analyze >/dev/null || {
  echo "verify-units: systemd-analyze not found (apt-get install systemd)" >&2
  exit 1
}
systemd_version=$(systemd-analyze --version | awk 'NR == 1 { print $2 }')

if [ -n "${JOBQ_BIN_DIR:-}" ]; then
  bin_dir=$JOBQ_BIN_DIR
else
  bin_dir=$(swift build --show-bin-path)
  for product in jobq jobq-web ingest-worker; do
    [ -x "$bin_dir/$product" ] || swift build --product "$product"
  done
fi
# jobq-web: `jobq web` runs it, from beside jobq.
for product in jobq jobq-web ingest-worker; do
  [ -x "$bin_dir/$product" ] || { echo "verify-units: $bin_dir/$product is missing (build it first)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/jobq-units.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The binaries through a path without spaces, so that the rewritten ExecStart= lines stay valid.
mkdir "$work/bin" "$work/units"
ln -s "$bin_dir/jobq" "$work/bin/jobq"
ln -s "$bin_dir/ingest-worker" "$work/bin/ingest-worker"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok:   $*"; }

shopt -s nullglob
unit_files=("$units_dir"/*.service "$units_dir"/*.timer)
[ ${#unit_files[@]} -gt 0 ] || { echo "verify-units: no units in $units_dir" >&2; exit 1; }

# A unit or drop-in file with /usr/local/bin/jobq and /usr/local/bin/ingest-worker pointing at the
# built binaries.
rewrite_binaries() {
  sed -e "s#/usr/local/bin/jobq\\b#$work/bin/jobq#g" \
      -e "s#/usr/local/bin/ingest-worker\\b#$work/bin/ingest-worker#g" "$1"
}
for file in "${unit_files[@]}"; do
  rewrite_binaries "$file" >"$work/units/$(basename "$file")"
done

# The unit name systemd-analyze is asked about: templates get the instance "test".
instance_name() {
  case $1 in
    *@.*) printf '%s' "${1/@./@test.}" ;;
    *) printf '%s' "$1" ;;
  esac
}

# Runs systemd-analyze verify on the named units of $work/units; fails on a non-zero status or on
# any message about our units (warnings about other units of this machine are shown, not failed).
# Messages matching $tolerated (a grep -E pattern, if set) are shown and not failed.
tolerated=""
verify() {
  local label=$1 output status=0 line ours=0
  shift
  local paths=()
  for name in "$@"; do paths+=("$work/units/$name"); done
  output=$(systemd-analyze verify --man=no --generators=no "${paths[@]}" 2>&1) || status=$?
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    if [ -n "$tolerated" ] && grep -qE "$tolerated" <<<"$line"; then
      echo "      (expected on systemd $systemd_version) $line"
      continue
    fi
    case $line in
      *jobq-*|*"$work"*) echo "      $line"; ours=1 ;;
      *) echo "      (not ours) $line" ;;
    esac
  done <<<"$output"
  if [ "$status" -ne 0 ] || [ "$ours" -ne 0 ]; then
    fail "systemd-analyze verify $label (status $status)"
  else
    pass "systemd-analyze verify $label"
  fi
}

# The service's exposure score (0 safest, 10 least safe) must stay at or below 4.0, so that
# removing hardening settings by accident is noticed. Offline analysis needs systemd 250.
exposure() {
  local name=$1 output status=0
  if [ "$systemd_version" -lt 250 ]; then
    echo "SKIP: $name: systemd-analyze security --offline needs systemd 250; this is $systemd_version"
    return
  fi
  output=$(systemd-analyze security --offline=yes --threshold=40 --man=no --no-pager "$work/units/$name" 2>&1) || status=$?
  local score
  score=$(grep -oE 'Overall exposure level for [^:]+: [0-9.]+ [A-Z]+' <<<"$output" | sed 's/.*: //')
  if [ "$status" -ne 0 ]; then
    fail "$name: exposure ${score:-unknown} is above 4.0 (systemd-analyze security --offline=yes shows why)"
  else
    pass "$name: exposure $score"
  fi
}

# A % that is not %% or a specifier letter is a mistake in these lines (e.g. --cpu 25%).
check_percent() {
  local bare
  bare=$(grep -nE '^(Exec[A-Za-z]*|Environment|EnvironmentFile|LoadCredential)=' "$1" \
         | sed -E 's/%%//g; s/%[A-Za-z]//g' | grep '%' || true)
  if [ -n "$bare" ]; then
    fail "$(basename "$1"): bare % (write %% for a literal percent sign): $bare"
  fi
}

# Every --option in the ExecStart= lines of a unit or drop-in file must exist in the --help of
# jobq (its subcommand's) or ingest-worker, for each of them on the line (the part after -- too).
# Arguments after any other program are that program's own and are not checked.
check_exec_options() {
  local file=$1 base exec_line word program subcommand help checked
  base=$(basename "$file")
  while IFS= read -r exec_line; do
    read -ra words <<<"${exec_line#ExecStart=}"
    program="" subcommand="" help="" checked=()
    for word in "${words[@]}" "--"; do
      if [ -z "$program" ]; then
        program=$(basename "$word")
        case $program in
          jobq|ingest-worker) help=$("$bin_dir/$program" --help 2>&1 || true) ;;
          *) break ;;
        esac
        continue
      fi
      if [ "$program" = jobq ] && [ -z "$subcommand" ] && [[ $word != -* ]]; then
        subcommand=$word
        if grep -qE "^ +$subcommand( |$)" <<<"$help"; then
          help=$("$bin_dir/jobq" "$subcommand" --help 2>&1 || true)
        else
          echo "SKIP: $base: this build of jobq has no '$subcommand' command; its options were not checked"
          help=""
        fi
        continue
      fi
      if [ "$word" = "--" ]; then
        [ ${#checked[@]} -gt 0 ] && pass "$base: $program ${subcommand:+$subcommand }knows ${checked[*]}"
        program="" subcommand="" help="" checked=()
        continue
      fi
      if [[ $word == --* ]] && [ -n "$help" ]; then
        # An option's own line in the OPTIONS section: "  --name <value>" or "  -n, --name".
        if grep -qE -- "^ +(-[A-Za-z], )?${word}( |$)" <<<"$help"; then
          checked+=("$word")
        else
          fail "$base: $program ${subcommand:+$subcommand }has no option $word"
        fi
      fi
    done
  done < <(grep -E '^ExecStart=.' "$file" | sed -e 's/%i/test/g; s/%%/%/g')
}

echo "verify-units: systemd $systemd_version, units from $units_dir, binaries from $bin_dir"

for file in "${unit_files[@]}"; do
  base=$(basename "$file")
  name=$(instance_name "$base")

  check_percent "$file"
  # Timers are verified below, together with the service they start.
  [[ $base == *.timer ]] || verify "$name" "$name"
  [[ $base == *.service ]] && exposure "$name"

  check_exec_options "$file"
done

# Timers together with the service they start.
for file in "$units_dir"/*.timer; do
  timer=$(instance_name "$(basename "$file")")
  service=${timer%.timer}.service
  if [ -f "$work/units/${service/@test./@.}" ] || [ -f "$work/units/$service" ]; then
    verify "$timer with $service" "$timer" "$service"
  else
    fail "$(basename "$file"): no service ${service/@test./@.} for it to start"
  fi
done

# Drop-ins, each with the units its "Drop-in for:" line names. On a systemd older than its
# "Needs: systemd N for Key= ..." line, the only warnings allowed are "Unknown key" for the keys
# that line names (older versions ignore them), so the rest of the file is still checked.
for dropin in "$units_dir"/drop-ins/*.conf; do
  base=$(basename "$dropin")
  targets=$(sed -nE 's/^# Drop-in for: *//p' "$dropin")
  needs=$(sed -nE 's/^# Needs: systemd ([0-9]+).*/\1/p' "$dropin")
  [ -n "$targets" ] || { fail "drop-ins/$base: no '# Drop-in for: UNIT...' line"; continue; }
  tolerated=""
  if [ -n "$needs" ] && [ "$systemd_version" -lt "$needs" ]; then
    keys=$(sed -nE 's/^# Needs: systemd [0-9]+ for //p' "$dropin" | grep -oE '[A-Za-z]+=' | tr -d = | paste -sd'|')
    # Older versions word it "Unknown lvalue" or "Unknown key name".
    tolerated="/$base:[0-9]+: Unknown (lvalue|key|key name) '($keys)'"
    echo "note: drop-ins/$base needs systemd $needs; this is $systemd_version, which ignores its keys"
  fi
  check_percent "$dropin"
  check_exec_options "$dropin"
  for target in $targets; do
    [ -f "$work/units/$target" ] || { fail "drop-ins/$base: names $target, which is not in $units_dir"; continue; }
    mkdir -p "$work/units/$target.d"
    rewrite_binaries "$dropin" >"$work/units/$target.d/$base"
    verify "$(instance_name "$target") with drop-ins/$base" "$(instance_name "$target")"
    rm -r "$work/units/$target.d"
  done
  tolerated=""
done

# The environment file example: comments, blank lines and NAME=value lines only.
for example in "$units_dir"/*.env.example; do
  bad=$(grep -nvE '^[[:space:]]*(#.*)?$|^[A-Za-z_][A-Za-z0-9_]*=' "$example" || true)
  if [ -n "$bad" ]; then
    fail "$(basename "$example"): not an environment file line: $bad"
  else
    pass "$(basename "$example"): environment file syntax"
  fi
done

if [ "$failures" -gt 0 ]; then
  echo "verify-units: $failures check(s) failed"
  exit 1
fi
echo "verify-units: all units verified"
