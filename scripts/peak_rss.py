"""Run a command and write its peak resident memory (kB, VmHWM) to $PEAK_RSS_FILE.

Used by bench.py as Brian2's standalone run command to measure the simulation
binary itself.
"""

import os
import subprocess
import sys
import time


def peak_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> int:
    child = subprocess.Popen(sys.argv[1:])
    peak = 0
    while child.poll() is None:
        peak = max(peak, peak_kb(child.pid))
        time.sleep(0.002)
    with open(os.environ["PEAK_RSS_FILE"], "w") as out:
        out.write(str(peak))
    return child.returncode


if __name__ == "__main__":
    sys.exit(main())
