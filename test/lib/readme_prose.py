#!/usr/bin/env python3
"""Numbers the README's prose quotes about an example must be printed by it.

For each ```sql block of README.md, the prose that follows it (up to the
next code block or heading) describes its results.  Every decimal number
with two or more fractional digits in that prose, outside backticks and
tables, must appear in the part of expected/readme.out that the block
produced (from its first statement to the next block's).  Prints the
disagreements and exits 1 when there are any.

    python3 test/lib/readme_prose.py [README.md expected/readme.out]
"""
import re
import sys

readme = sys.argv[1] if len(sys.argv) > 1 else "README.md"
expected = sys.argv[2] if len(sys.argv) > 2 else "expected/readme.out"
lines = open(readme, encoding="utf-8").read().split("\n")
out = open(expected, encoding="utf-8").read().split("\n")

# (sql lines, [(line number, prose line), ...]) for each sql block
blocks = []
in_code = False
kind = None
buf = []
for n, line in enumerate(lines, 1):
    if line.startswith("```"):
        if not in_code:
            in_code, kind, buf = True, line[3:].strip(), []
        else:
            in_code = False
            if kind == "sql":
                blocks.append(([b for b in buf if b.strip()
                                and b.strip() != "CREATE EXTENSION cjourney;"], []))
            elif blocks:
                blocks[-1] = (blocks[-1][0], blocks[-1][1] + [None])
        continue
    if in_code:
        buf.append(line)
    elif blocks and (not blocks[-1][1] or blocks[-1][1][-1] is not None):
        if line.startswith("#"):
            blocks[-1][1].append(None)
        else:
            blocks[-1][1].append((n, line))

# where each block's first line is echoed in the expected output
pos = 0
starts = []
for sql, _ in blocks:
    if not sql:
        starts.append(pos)
        continue
    first = sql[0]
    k = pos
    while k < len(out) and out[k] != first:
        k += 1
    if k == len(out):
        print(f"README block starting {first!r} is not in {expected}")
        sys.exit(1)
    starts.append(k)
    pos = k + 1
starts.append(len(out))

bad = 0
number = re.compile(r"(?<![\w.])-?\d+\.\d{2,}(?![\w.])")
for b, (sql, prose) in enumerate(blocks):
    section = "\n".join(out[starts[b]:starts[b + 1]])
    for item in prose:
        if item is None:
            break
        n, line = item
        if line.lstrip().startswith("|"):
            continue
        plain = re.sub(r"`[^`]*`", "", line)
        for m in number.finditer(plain):
            if m.group(0) not in section:
                print(f"README.md:{n}: {m.group(0)} is not printed by the example above it")
                bad += 1
sys.exit(1 if bad else 0)
