#!/usr/bin/env python3
"""pgxn_meta.py: check a META.json against the PGXN Meta Spec v1.0.0.

    python3 test/lib/pgxn_meta.py META.json [--root DIR] [--control FILE]

Prints one line per problem and exits 1 if there is any, else prints a
one-line summary. The checks follow the spec (https://pgxn.org/spec/) as the
JSON schemas of github.com/pgxn/meta (schema/v1) state it: the required keys
(name, version, abstract, maintainer, license, provides, meta-spec), each
key's type, SemVer 2.0.0 versions, version ranges in prereqs, the license
shortcuts, terms (names: at least two characters, no slash, backslash,
control or space characters), tags, no_index, resources, release_status,
custom keys (x_...) and no unknown keys. With --root, every file named
(provides file and docfile) must exist under DIR; with --control, the
distribution and extension versions must equal the control file's
default_version. No package in Debian validates PGXN metadata (pgxn-utils
is not packaged), hence this script.
"""
import argparse
import json
import os
import re
import sys

SEMVER = (r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
          r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
          r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?")
VERSION_RE = re.compile("^" + SEMVER + "$")
RANGE_ONE = r"(?:(?:[=!]=|[<>]=?)\s*)?(?:" + SEMVER + ")"
RANGE_RE = re.compile(r"^(?:(?:(?:[=!]=|[<>]=?)\s*)?(?:" + SEMVER + r")|0)(?:,\s*" + RANGE_ONE + ")*$")
LICENSES = {
    "agpl_3", "apache_1_1", "apache_2_0", "artistic_1", "artistic_2", "bsd", "freebsd", "gfdl_1_2",
    "gfdl_1_3", "gpl_1", "gpl_2", "gpl_3", "lgpl_2_1", "lgpl_3_0", "mit", "mozilla_1_0", "mozilla_1_1",
    "openssl", "perl_5", "postgresql", "qpl_1_0", "ssleay", "sun", "zlib", "open_source", "restricted",
    "unrestricted", "unknown",
}
TOP_KEYS = {"name", "version", "abstract", "maintainer", "license", "provides", "meta-spec", "description",
            "generated_by", "tags", "no_index", "prereqs", "release_status", "resources"}
REQUIRED = ["name", "version", "abstract", "maintainer", "license", "provides", "meta-spec"]
PHASES = {"configure", "build", "test", "runtime", "develop"}
RELATIONS = {"requires", "recommends", "suggests", "conflicts"}
URI_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")

errors = []


def err(path, msg):
    errors.append(f"{path}: {msg}")


def custom(key):
    return re.match(r"^[xX]_.", key) is not None


def nonempty_string(v, path):
    if not isinstance(v, str) or not v:
        err(path, "must be a non-empty string")
        return False
    return True


def term(v, path):
    if nonempty_string(v, path) and (len(v) < 2 or re.search(r"[/\\\s\x00-\x1f\x7f]", v)):
        err(path, f"{v!r} is not a term (two or more characters, no slash, backslash, space or control character)")


def version(v, path):
    if not isinstance(v, str) or not VERSION_RE.match(v):
        err(path, f"{v!r} is not a semantic version (SemVer 2.0.0, e.g. 1.2.3)")


def version_range(v, path):
    if v == 0:
        return
    if not isinstance(v, str) or not RANGE_RE.match(v):
        err(path, f"{v!r} is not a version range (0, 1.2.3, '>= 1.2.0, < 2.0.0', ...)")


def unix_path(v, path):
    if nonempty_string(v, path) and (v.startswith("/") or "\\" in v or ".." in v.split("/")):
        err(path, f"{v!r} is not a relative unix path inside the distribution")


def check_keys(obj, allowed, path, allow_custom=True):
    for k in obj:
        if k not in allowed and not (allow_custom and custom(k)):
            err(f"{path}.{k}" if path else k, "unknown key")


def check(meta, root, control_version):
    if not isinstance(meta, dict):
        err("META.json", "must hold an object")
        return
    for k in REQUIRED:
        if k not in meta:
            err(k, "required key missing")
    check_keys(meta, TOP_KEYS, "")
    if "name" in meta:
        term(meta["name"], "name")
    if "version" in meta:
        version(meta["version"], "version")
    for k in ("abstract", "description", "generated_by"):
        if k in meta:
            nonempty_string(meta[k], k)
    m = meta.get("maintainer")
    if m is not None:
        if isinstance(m, list):
            if not m:
                err("maintainer", "empty list")
            for i, x in enumerate(m):
                nonempty_string(x, f"maintainer[{i}]")
        else:
            nonempty_string(m, "maintainer")
    lic = meta.get("license")
    if lic is not None:
        if isinstance(lic, str):
            if lic not in LICENSES:
                err("license", f"{lic!r} is not a license shortcut of the spec")
        elif isinstance(lic, list):
            if not lic:
                err("license", "empty list")
            for i, x in enumerate(lic):
                if x not in LICENSES:
                    err(f"license[{i}]", f"{x!r} is not a license shortcut of the spec")
        elif isinstance(lic, dict):
            if not lic:
                err("license", "empty object")
            for k, v in lic.items():
                if not isinstance(v, str) or not URI_RE.match(v):
                    err(f"license.{k}", "must be a URI")
        else:
            err("license", "must be a shortcut, a list of shortcuts or an object of URIs")
    prov = meta.get("provides")
    if prov is not None:
        if not isinstance(prov, dict) or not prov:
            err("provides", "must be a non-empty object")
        else:
            for ext, e in prov.items():
                p = f"provides.{ext}"
                term(ext, p)
                if not isinstance(e, dict):
                    err(p, "must be an object")
                    continue
                check_keys(e, {"file", "version", "abstract", "docfile"}, p)
                for k in ("file", "version"):
                    if k not in e:
                        err(f"{p}.{k}", "required key missing")
                if "version" in e:
                    version(e["version"], f"{p}.version")
                if "abstract" in e:
                    nonempty_string(e["abstract"], f"{p}.abstract")
                for k in ("file", "docfile"):
                    if k in e:
                        unix_path(e[k], f"{p}.{k}")
                        if root is not None and isinstance(e[k], str) and not os.path.isfile(os.path.join(root, e[k])):
                            err(f"{p}.{k}", f"{e[k]!r} is not a file of the distribution")
                if control_version is not None and e.get("version") != control_version:
                    err(f"{p}.version", f"{e.get('version')!r} differs from the control file's {control_version!r}")
    ms = meta.get("meta-spec")
    if ms is not None:
        if not isinstance(ms, dict):
            err("meta-spec", "must be an object")
        else:
            check_keys(ms, {"version", "url"}, "meta-spec")
            if not isinstance(ms.get("version"), str) or not re.match(r"^1\.0\.\d+$", ms.get("version", "")):
                err("meta-spec.version", "must be 1.0.x for this spec")
            if "url" in ms and (not isinstance(ms["url"], str) or not URI_RE.match(ms["url"])):
                err("meta-spec.url", "must be a URI")
    tags = meta.get("tags")
    if tags is not None:
        if not isinstance(tags, list) or not tags:
            err("tags", "must be a non-empty list")
        else:
            for i, t in enumerate(tags):
                if (not isinstance(t, str) or not 2 <= len(t) <= 255
                        or re.search(r"[/\\\x00-\x1f\x7f]", t)):
                    err(f"tags[{i}]", f"{t!r} is not a tag (2 to 255 characters, no slash, backslash or control)")
    ni = meta.get("no_index")
    if ni is not None:
        if not isinstance(ni, dict) or not ni:
            err("no_index", "must be a non-empty object")
        else:
            check_keys(ni, {"file", "directory"}, "no_index")
            for k, v in ni.items():
                if custom(k):
                    continue
                for i, x in enumerate(v if isinstance(v, list) else [v]):
                    unix_path(x, f"no_index.{k}[{i}]")
    pr = meta.get("prereqs")
    if pr is not None:
        if not isinstance(pr, dict) or not pr:
            err("prereqs", "must be a non-empty object")
        else:
            check_keys(pr, PHASES, "prereqs")
            for ph, rels in pr.items():
                if custom(ph):
                    continue
                p = f"prereqs.{ph}"
                if not isinstance(rels, dict) or not rels:
                    err(p, "must be a non-empty object")
                    continue
                check_keys(rels, RELATIONS, p)
                for rel, exts in rels.items():
                    if custom(rel):
                        continue
                    if not isinstance(exts, dict) or not exts:
                        err(f"{p}.{rel}", "must be a non-empty object")
                        continue
                    for ext, rng in exts.items():
                        term(ext, f"{p}.{rel}.{ext}")
                        version_range(rng, f"{p}.{rel}.{ext}")
    rs = meta.get("release_status")
    if rs is not None and rs not in ("stable", "testing", "unstable"):
        err("release_status", f"{rs!r} is not stable, testing or unstable")
    res = meta.get("resources")
    if res is not None:
        if not isinstance(res, dict) or not res:
            err("resources", "must be a non-empty object")
        else:
            check_keys(res, {"homepage", "bugtracker", "repository"}, "resources")
            if "homepage" in res and not (isinstance(res["homepage"], str) and URI_RE.match(res["homepage"])):
                err("resources.homepage", "must be a URI")
            for k, keys in (("bugtracker", {"web", "mailto"}), ("repository", {"url", "web", "type"})):
                if k in res:
                    if not isinstance(res[k], dict) or not res[k]:
                        err(f"resources.{k}", "must be a non-empty object")
                        continue
                    check_keys(res[k], keys, f"resources.{k}")
    if control_version is not None and meta.get("version") != control_version:
        err("version", f"{meta.get('version')!r} differs from the control file's default_version {control_version!r}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("meta")
    ap.add_argument("--root", help="distribution root: the files META.json names must exist there")
    ap.add_argument("--control", help="control file whose default_version the versions must equal")
    a = ap.parse_args()
    try:
        with open(a.meta, encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        print(f"{a.meta}: not readable JSON: {e}")
        return 1
    control_version = None
    if a.control:
        with open(a.control, encoding="utf-8") as f:
            m = re.search(r"^default_version\s*=\s*'([^']*)'", f.read(), re.M)
        control_version = m.group(1) if m else ""
    check(meta, a.root, control_version)
    if errors:
        print("\n".join(errors))
        return 1
    print(f"{meta['name']} {meta['version']}: valid PGXN Meta Spec {meta['meta-spec']['version']} "
          f"({len(meta)} keys, provides {', '.join(sorted(meta['provides']))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
