# test/lib/tap.sh: TAP output helpers shared by the shell suites in
# test/suites/.  Source it, call ok / not_ok / is / bail, end with
# `echo "1..$N"`.

N=0

# ok DESCRIPTION
ok() {
    N=$((N + 1))
    echo "ok $N - $1"
}

# not_ok DESCRIPTION [DIAGNOSTIC...]: each diagnostic line is printed as "#   ..."
not_ok() {
    N=$((N + 1))
    echo "not ok $N - $1"
    shift
    local line l
    for line in "$@"; do
        while IFS= read -r l; do echo "#   $l"; done <<<"$line"
    done
}

# is GOT EXPECTED DESCRIPTION
is() {
    if [[ $1 == "$2" ]]; then ok "$3"; else not_ok "$3" "got:      ${1:0:2000}" "expected: ${2:0:2000}"; fi
}

# bail DESCRIPTION [DIAGNOSTIC...]: fail and stop the suite
bail() {
    not_ok "$@"
    echo "1..$N"
    exit 1
}
