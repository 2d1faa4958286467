#!/usr/bin/env python3
"""Summarize JMH JSON results (one or more passes) as Markdown tables for docs/BENCHMARKS.md.

Usage: summarize.py RESULT.json [RESULT.json ...]

For each benchmark method and parameter combination it pools the measurement iterations of every
given file (each file is one pass, run at a different time) and reports their median, plus the
per-pass scores so the spread between passes is visible. Ratios compare speeds, sluice / contender,
so above 1 means sluice is faster: for throughput the ratio of scores, for a time per operation the
inverse (contender time / sluice time).
"""
import json
import statistics
import sys
from collections import defaultdict

CONTENDERS = ["sluice", "ArrayBlockingQueue", "LinkedBlockingQueue", "LinkedTransferQueue", "jctools"]
SHORT = {"sluice": "sluice", "ArrayBlockingQueue": "ABQ", "LinkedBlockingQueue": "LBQ",
         "LinkedTransferQueue": "LTQ", "jctools": "JCTools"}


def load(paths):
    iterations = defaultdict(list)  # (method, row key, queue) -> all iteration scores
    passes = defaultdict(list)      # same key -> one score per fork
    units = {}
    for path in paths:
        with open(path) as f:
            for result in json.load(f):
                method = result["benchmark"].rsplit(".", 2)[-2] + "." + result["benchmark"].rsplit(".", 1)[-1]
                params = dict(result.get("params", {}))
                queue = params.pop("queue")
                row = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
                key = (method, row, queue)
                units[method] = result["primaryMetric"]["scoreUnit"]
                for fork in result["primaryMetric"]["rawData"]:
                    iterations[key].extend(fork)
                    passes[key].append(statistics.fmean(fork))
    return iterations, passes, units


def fmt(value, unit):
    if unit == "ops/s":
        return f"{value / 1e6:.2f} M"
    return f"{value:.1f}"


def main(paths):
    iterations, passes, units = load(paths)
    methods = sorted({k[0] for k in iterations})
    for method in methods:
        unit = units[method]
        higher_is_better = unit.endswith("/s")
        rows = sorted({k[1] for k in iterations if k[0] == method}, key=row_order)
        queues = [q for q in CONTENDERS if any((method, r, q) in iterations for r in rows)]
        print(f"### {method} ({'items/s, higher is better' if higher_is_better else unit + ' per round trip, lower is better'})\n")
        head = ["parameters"] + [SHORT[q] for q in queues]
        if "sluice" in queues:
            head += [f"sluice/{SHORT[q]}" for q in queues if q != "sluice"]
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for row in rows:
            medians = {q: statistics.median(iterations[(method, row, q)])
                       for q in queues if (method, row, q) in iterations}
            cells = [row] + [fmt(medians[q], unit) if q in medians else "-" for q in queues]
            if "sluice" in medians:
                for q in queues:
                    if q == "sluice":
                        continue
                    if q not in medians:
                        cells.append("-")
                    elif higher_is_better:
                        cells.append(f"{medians['sluice'] / medians[q]:.2f}")
                    else:  # a time: the ratio of speeds is the inverse ratio of times
                        cells.append(f"{medians[q] / medians['sluice']:.2f}")
            print("| " + " | ".join(cells) + " |")
        print()
        print("<details><summary>per-pass scores (mean of each pass's iterations)</summary>\n")
        print("| parameters | contender | passes | median of all iterations | min..max iteration |")
        print("|---|---|---|---|---|")
        for row in rows:
            for q in queues:
                key = (method, row, q)
                if key in iterations:
                    print(f"| {row} | {SHORT[q]} | " + ", ".join(fmt(p, unit) for p in passes[key])
                          + f" | {fmt(statistics.median(iterations[key]), unit)}"
                          + f" | {fmt(min(iterations[key]), unit)}..{fmt(max(iterations[key]), unit)} |")
        print("\n</details>\n")


def row_order(row):
    # 1P1C before 2P2C before 8P8C before 1000P1000C, then by the rest.
    parts = dict(p.split("=", 1) for p in row.split(", ") if "=" in p)
    config = parts.get("config", "")
    digits = "".join(c for c in config.split("P")[0] if c.isdigit())
    return (int(parts.get("capacity", 0)), int(digits) if digits else 0, row)


if __name__ == "__main__":
    main(sys.argv[1:])
