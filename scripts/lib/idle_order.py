"""Turns page traces of idle jobq and ingest-worker processes into the linker's symbol order.

    idle_order.py LIST ORDER (BINARY TRACE)...

TRACE holds the addresses (8-byte little-endian, relative to the load address) at which a process
first ran code on each page of BINARY (scripts/lib/page-trace.c). The function holding each address
surely runs; LIST keeps those functions across rounds, in the order first seen, and gets the new
ones appended (a listed function that neither binary defines any more is dropped). ORDER is LIST followed by the other functions on the pages that were run: a round
linked with it puts what surely runs first and what may run next to it, so the next trace finds the
functions of that second part that do run. scripts/idle-order.sh links with LIST in the end.
"""
import bisect
import os
import struct
import subprocess
import sys


def functions(binary):
    """(start, size, name) of every function in BINARY's symbol table, by address."""
    table = subprocess.run(["nm", "-n", "-S", "--defined-only", binary], capture_output=True, text=True, check=True)
    found = []
    for line in table.stdout.splitlines():
        fields = line.split(maxsplit=3)
        if len(fields) == 4 and fields[2] in "tTwW" and int(fields[1], 16) > 0:
            found.append((int(fields[0], 16), int(fields[1], 16), fields[3]))
    found.sort()
    return found


def main():
    list_path, order_path = sys.argv[1], sys.argv[2]
    tables = {binary: functions(binary) for binary in sys.argv[3::2]}
    defined = {name for table in tables.values() for _, _, name in table}
    listed = open(list_path).read().split("\n") if os.path.exists(list_path) else []
    surely = [name for name in listed if name in defined]  # a function since removed drops out
    known = set(surely)
    nearby, seen_nearby = [], set()
    for binary, trace in zip(sys.argv[3::2], sys.argv[4::2]):
        table = tables[binary]
        starts = [start for start, _, _ in table]
        for (address,) in struct.iter_unpack("<Q", open(trace, "rb").read()):
            index = bisect.bisect_right(starts, address) - 1
            if index >= 0 and address < table[index][0] + table[index][1] and table[index][2] not in known:
                known.add(table[index][2])
                surely.append(table[index][2])
            page = address & ~4095
            index = bisect.bisect_right(starts, page + 4095) - 1
            while index >= 0 and table[index][0] > page - (1 << 18):
                start, size, name = table[index]
                if start + size > page and name not in seen_nearby:
                    seen_nearby.add(name)
                    nearby.append(name)
                index -= 1
    with open(list_path, "w") as out:
        out.writelines(name + "\n" for name in surely)
    with open(order_path, "w") as out:
        out.writelines(name + "\n" for name in surely + [name for name in nearby if name not in known])
    print(f"idle-order: {len(surely)} functions run", file=sys.stderr)


if __name__ == "__main__":
    main()
