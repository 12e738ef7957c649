"""CPU ticks and resident memory of a process and everything in its session, from /proc."""
import os

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def _stat_fields(pid):
    with open(f"/proc/{pid}/stat") as stat:
        text = stat.read()
    # The command name (field 2) may hold spaces and parentheses: split after its closing one.
    return text[text.rindex(")") + 2:].split()


def session_members(session_id):
    """Pids of every process whose session id is `session_id` (a worker started with its own session)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if int(_stat_fields(entry)[3]) == session_id:
                members.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return members


def cpu_ticks(pids):
    """User plus system ticks used so far by `pids` (children already reaped count in their parent)."""
    total = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        except (OSError, ValueError, IndexError):
            continue
    return total


def rss_bytes(pids):
    """Resident set size of `pids` added up, in bytes."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as statm:
                total += int(statm.read().split()[1]) * PAGE_BYTES
        except (OSError, ValueError, IndexError):
            continue
    return total
