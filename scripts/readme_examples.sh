#!/usr/bin/env bash
# Extract the ```sql examples of README.md into sql/readme.sql, the
# pg_regress test that keeps the README honest.
#
#   bash scripts/readme_examples.sh          rewrite sql/readme.sql
#   bash scripts/readme_examples.sh --stdout print instead
#
# CREATE EXTENSION lines are left out: pg_regress loads the extension.
set -euo pipefail
cd "$(dirname "$0")/.."

extract() {
    echo "-- Generated from README.md by scripts/readme_examples.sh; do not edit."
    awk '/^```sql$/ { inblock = 1; print ""; next }
         /^```/     { inblock = 0; next }
         inblock && !/^CREATE EXTENSION cjourney;$/ { print }' README.md
}

if [[ ${1:-} == --stdout ]]; then
    extract
else
    extract >sql/readme.sql
fi
