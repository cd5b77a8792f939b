#!/usr/bin/env python3
"""version_guards.py: server APIs that differ across PostgreSQL 13 to 17 are
used only under a PG_VERSION_NUM guard (or have a fallback).

    python3 test/lib/version_guards.py src/*.c src/*.h

cjourney is tested on PostgreSQL 15 and expected to build on 13 to 17. The
APIs below appeared in (or, for the last ones, left) a version inside that
range; a use outside an `#if`/`#ifdef` block whose condition names
PG_VERSION_NUM (or the identifier itself), and without a fallback definition
of our own (`#ifndef strtoi64` / `#define strtoi64 ...` in cjourney.h), would
build here and fail on another version. Prints one line per unguarded use
and exits 1 if there is any.
"""
import re
import sys

# identifier (regex) -> the version that changed it
APIS = {
    r"MarkGUCPrefixReserved": "15 (EmitWarningsOnPlaceholders before)",
    r"pg_prng_\w+": "15 (random() before)",
    r"InitMaterializedSRF|SetSingleFuncCall": "15",
    r"strtoi64|strtou64": "15 (c.h macros)",
    r"pg_strtoint64": "15 (scanint8 before)",
    r"numeric_is_inf|int64_to_numeric": "14",
    r"construct_array_builtin": "16",
    r"palloc_object|palloc0_object|palloc_array|palloc0_array|repalloc_array": "16",
    r"varatt\.h": "16",
    r"escape_json_with_len|escape_json_text": "17",
    r"pg_cmp_[su](16|32|64)": "17",
    r"makeStringInfoExt|initStringInfoExt": "17",
    r"AssertArg|AssertState": "16 (removed)",
    r"\bAbs\s*\(": "16 (removed)",
}
PATTERN = re.compile(r"\b(" + "|".join(f"(?:{k})" for k in APIS) + r")")


def api_of(name):
    for k, v in APIS.items():
        if re.fullmatch(k, name) or re.match(k, name):
            return v
    return "?"


def fallbacks(files):
    """names given a definition of our own under #ifndef NAME (cjourney.h)"""
    names = set()
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for m in re.finditer(r"#\s*ifndef\s+(\w+)\s*\n\s*#\s*define\s+(\w+)", text):
            if m.group(1) == m.group(2):
                names.add(m.group(1))
    return names


def main(files):
    bad = []
    provided = fallbacks(files)
    for path in files:
        stack = []  # one bool per open #if: does its condition guard?
        with open(path, encoding="utf-8", errors="replace") as f:
            for no, line in enumerate(f, 1):
                s = line.strip()
                m = re.match(r"#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)", s)
                if m:
                    kw, cond = m.group(1), m.group(2)
                    guard = "PG_VERSION_NUM" in cond or PATTERN.search(cond) is not None
                    if kw in ("if", "ifdef", "ifndef"):
                        stack.append(guard)
                    elif kw == "elif":
                        if stack:
                            stack[-1] = stack[-1] or guard
                    elif kw == "endif":
                        if stack:
                            stack.pop()
                    continue  # #else keeps the block's guard
                code = re.sub(r"/\*.*?\*/|//.*$", "", line)
                if s.startswith("*") or s.startswith("/*"):
                    continue  # comment lines
                for m in PATTERN.finditer(code):
                    if not any(stack) and m.group(1) not in provided:
                        bad.append(f"{path}:{no}: {m.group(1)} (PostgreSQL {api_of(m.group(1))}) outside a PG_VERSION_NUM guard")
    if bad:
        print("\n".join(bad))
        return 1
    print(f"{len(files)} files: every version-dependent API is guarded")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
