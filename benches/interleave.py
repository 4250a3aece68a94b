#!/usr/bin/env python3
"""Paired timing on a noisy machine: runs each command once per round, round after round, so
that a machine whose speed drifts between minutes slows every command alike; prints each
command's median, quartiles and minimum wall time (milliseconds, through `sh -c`, which adds
the same ~1.5 ms to every command).

    benches/interleave.py ROUNDS NAME=COMMAND [NAME=COMMAND ...]
    benches/interleave.py 30 "tssa=target/release/tssa build -q --root R --out /dev/shm/a" \\
        "hugo=hugo --quiet --source /dev/shm/tssa-hugo-site --destination /dev/shm/b"

Two untimed rounds come first."""
import statistics
import subprocess
import sys
import time


def main() -> None:
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    commands = [arg.split("=", 1) for arg in sys.argv[2:]]
    times = {name: [] for name, _ in commands}
    for round_ in range(rounds + 2):
        for name, command in commands:
            started = time.perf_counter()
            subprocess.run(command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if round_ >= 2:
                times[name].append((time.perf_counter() - started) * 1000)
    for name, _ in commands:
        runs = sorted(times[name])
        median = statistics.median(runs)
        q1, _, q3 = statistics.quantiles(runs, n=4) if len(runs) > 1 else (median,) * 3
        print(f"{name:16s} median {median:8.1f} ms  p25 {q1:8.1f}  p75 {q3:8.1f}  min {runs[0]:8.1f}")


if __name__ == "__main__":
    main()
