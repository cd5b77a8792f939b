# shellcheck shell=bash
# bench/peer_packages.sh -- install the peer engines' npm packages into a
# cache outside the repository.  Sourced by bench/peers.sh and by
# test/suites/clickhouse_diff.sh.
#
#   cj_peer_cache                 print the cache directory: $CJ_BENCH_CACHE,
#                                 default ${XDG_CACHE_HOME:-$HOME/.cache}/cjourney-bench
#   cj_peer_install CACHE PKG@VER...
#                                 npm install the packages whose installed
#                                 version differs (no install scripts: the
#                                 packages ship prebuilt binaries as
#                                 per-platform optional dependencies);
#                                 non-zero with a message on failure
#
# The peers' versions, pinned so that runs compare (chdb 3.x needs node 18+
# and ships its engine as the npm package @chdb/lib-linux-x64-gnu, about
# 560 MB).
DUCKDB_PKG=@duckdb/node-api@1.5.6-r.1
CHDB_PKG=chdb@3.4.0

cj_peer_cache() {
    echo "${CJ_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cjourney-bench}"
}

# the version of PACKAGE installed in CACHE, or nothing
cj_peer_installed_version() {
    local pj=$1/node_modules/$2/package.json
    if [[ -f $pj ]]; then
        node -p "require(process.argv[1]).version" "$pj" 2>/dev/null || true
    fi
}

cj_peer_install() {
    local cache=$1 pkg missing=()
    shift
    command -v node >/dev/null || {
        echo "node is not installed (Node.js 18 or later is needed for DuckDB and chdb)" >&2
        return 1
    }
    command -v npm >/dev/null || {
        echo "npm is not installed" >&2
        return 1
    }
    if (($(node -p 'process.versions.node.split(".")[0]') < 18)); then
        echo "node $(node --version) is too old: DuckDB and chdb need Node.js 18 or later" >&2
        return 1
    fi
    for pkg in "$@"; do
        [[ $(cj_peer_installed_version "$cache" "${pkg%@*}") == "${pkg##*@}" ]] || missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0
    mkdir -p "$cache" || {
        echo "cannot create the package cache $cache" >&2
        return 1
    }
    [[ -f $cache/package.json ]] ||
        echo '{"name": "cjourney-bench-peers", "private": true}' >"$cache/package.json"
    echo "installing ${missing[*]} into $cache (once)" >&2
    if ! npm install --prefix "$cache" --no-audit --no-fund --ignore-scripts \
        "${missing[@]}" >"$cache/npm-install.log" 2>&1; then
        tail -n 20 "$cache/npm-install.log" >&2
        echo "npm could not install ${missing[*]} (log: $cache/npm-install.log); check the registry (npm config get registry) and the network" >&2
        return 1
    fi
}
