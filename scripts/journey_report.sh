#!/usr/bin/env bash
# journey_report.sh -- write the visual journey report of a touchpoints table
# as one self-contained HTML file (charts inlined, no network request).
#
#   scripts/journey_report.sh [options]
#
# Connection (default: the libpq environment, PGHOST, PGPORT, PGDATABASE, ...):
#   -d, --dbname CONN      database name, connection string or URI
#                          ('host=... dbname=...', 'postgresql://...')
# Output:
#   -o, --output FILE      default journey_report.html
#   --title TEXT           default "Customer journey report"
#   --json FILE            also write the JSON document alone (the numbers the
#                          page shows, as cjourney's SQL returned them)
# The touchpoints (defaults: the sample data of data/load.sh, with the
# segment and campaign group read from public.customers; once --table is
# given, the optional columns default to none):
#   --table NAME           default public.touchpoints
#   --customer-col COL     customer key, any type with equality  (customer_id)
#   --time-col COL         timestamptz, or timestamp/date read as UTC (occurred_at)
#   --stage-col COL        an enum, or text cast to the stage enum (stage)
#   --event-col COL        (event)
#   --channel-col COL      (channel)
#   --value-col COL        revenue, numeric; optional          (revenue)
#   --segment-col COL      optional                            (segment)
#   --customers TABLE      one row per customer, same key column name: read
#                          the segment and treated columns from it (public.customers)
#   --treated-col COL      campaign column: boolean, or text compared with
#                          --treated-value / --control-value (treatment / control);
#                          optional                            (campaign_group)
# Stages (default: an enum column as is, else cast to cjourney's stage):
#   --stages a,b,c         the lifecycle, in order: a temporary enum of these
#                          labels is created for the report (text stages)
#   --stage-type TYPE      an enum of yours to cast the stage column to
# Analyses:
#   --funnel STEPS         events per step: comma between steps, | between
#                          alternatives   (ad_click|page_view,signup|demo_request,purchase)
#   --funnel-window IVL    every step within this of step 1      (14 days)
#   --conversion EVENT     conversion event for attribution and lift (purchase)
#   --models LIST          attribution models (first_touch,last_touch,linear,
#                          time_decay,position_based,markov)
#   --path-steps N         stages per journey-map path          (6)
#   --retention-weeks N    weeks after the cohort week           (8)
#   --as-of TIME           close each customer's last stage period at TIME
#                          for time in stage (default: it counts 0)
#
# Needs psql and a database with CREATE EXTENSION cjourney; it creates only
# temporary objects, in one transaction it rolls back. Apache ECharts comes
# from the npm registry, installed once (npm install --prefix) into
# $CJ_REPORT_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/cjourney-report)
# and inlined into the page with its license; CJ_ECHARTS_DIR=DIR uses an
# unpacked echarts package (DIR/dist/echarts.min.js, DIR/LICENSE) instead,
# with no npm at all. Prints the path of the file it wrote.
set -euo pipefail

ECHARTS_PKG=echarts@6.1.0

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit "${1:-0}"
}
die() {
    printf 'journey_report: %s\n' "$*" >&2
    exit 1
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
conn=
output=journey_report.html
json_out=
title="Customer journey report"
table=
customer_col=customer_id
time_col=occurred_at
stage_col=stage
event_col=event
channel_col=channel
value_col=UNSET
segment_col=UNSET
customers=UNSET
treated_col=UNSET
treated_value=treatment
control_value=control
stages=
stage_type=
funnel='ad_click|page_view,signup|demo_request,purchase'
funnel_window='14 days'
conversion=purchase
models=first_touch,last_touch,linear,time_decay,position_based,markov
path_steps=6
retention_weeks=8
as_of=

while (($#)); do
    opt=$1
    case $opt in
    -h | --help) usage 0 ;;
    --*=*)
        set -- "${opt%%=*}" "${opt#*=}" "${@:2}"
        continue
        ;;
    esac
    (($# >= 2)) || die "$opt needs a value (see --help)"
    val=$2
    case $opt in
    -d | --dbname) conn=$val ;;
    -o | --output) output=$val ;;
    --json) json_out=$val ;;
    --title) title=$val ;;
    --table) table=$val ;;
    --customer-col) customer_col=$val ;;
    --time-col) time_col=$val ;;
    --stage-col) stage_col=$val ;;
    --event-col) event_col=$val ;;
    --channel-col) channel_col=$val ;;
    --value-col) value_col=$val ;;
    --segment-col) segment_col=$val ;;
    --customers) customers=$val ;;
    --treated-col) treated_col=$val ;;
    --treated-value) treated_value=$val ;;
    --control-value) control_value=$val ;;
    --stages) stages=$val ;;
    --stage-type) stage_type=$val ;;
    --funnel) funnel=$val ;;
    --funnel-window) funnel_window=$val ;;
    --conversion) conversion=$val ;;
    --models) models=$val ;;
    --path-steps) path_steps=$val ;;
    --retention-weeks) retention_weeks=$val ;;
    --as-of) as_of=$val ;;
    *)
        printf 'journey_report: unknown option: %s\n' "$opt" >&2
        usage 2 >&2
        ;;
    esac
    shift 2
done

# The sample data's optional columns, unless another table is named.
sample() {
    if [[ $1 != UNSET ]]; then
        printf '%s' "$1"
    elif [[ -z $table ]]; then
        printf '%s' "$2"
    fi
}
value_col=$(sample "$value_col" revenue)
segment_col=$(sample "$segment_col" segment)
customers=$(sample "$customers" public.customers)
treated_col=$(sample "$treated_col" campaign_group)
table=${table:-public.touchpoints}
[[ $path_steps =~ ^[1-9][0-9]?$ ]] || die "--path-steps must be 1 to 99"
[[ $retention_weeks =~ ^[1-9][0-9]?$ ]] || die "--retention-weeks must be 1 to 99"
[[ -z $stages || -z $stage_type ]] || die "give --stages or --stage-type, not both"
command -v psql >/dev/null || die "psql is not installed"

# --- Apache ECharts ------------------------------------------------------------
if [[ -n ${CJ_ECHARTS_DIR:-} ]]; then
    echarts=$CJ_ECHARTS_DIR
else
    cache=${CJ_REPORT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cjourney-report}
    echarts=$cache/node_modules/echarts
    want=${ECHARTS_PKG#echarts@}
    have=
    [[ -f $echarts/package.json ]] &&
        have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$echarts/package.json" | head -n 1)
    if [[ $have != "$want" ]]; then
        command -v npm >/dev/null ||
            die "npm is not installed: install it, or set CJ_ECHARTS_DIR to an unpacked echarts package"
        mkdir -p "$cache" || die "cannot create the package cache $cache"
        [[ -f $cache/package.json ]] ||
            echo '{"name": "cjourney-report-deps", "private": true}' >"$cache/package.json"
        echo "journey_report: installing $ECHARTS_PKG into $cache (once)" >&2
        npm install --prefix "$cache" --no-audit --no-fund --ignore-scripts "$ECHARTS_PKG" \
            >"$cache/npm-install.log" 2>&1 || {
            tail -n 20 "$cache/npm-install.log" >&2
            die "npm could not install $ECHARTS_PKG (log: $cache/npm-install.log)"
        }
    fi
fi
[[ -f $echarts/dist/echarts.min.js && -f $echarts/LICENSE ]] ||
    die "no dist/echarts.min.js and LICENSE in $echarts"
echarts_version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$echarts/package.json" 2>/dev/null | head -n 1)

# --- the analyses ---------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cjourney-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
psql_args=(-X -q -At -v ON_ERROR_STOP=1)
[[ -z $conn ]] || psql_args+=(-d "$conn")
psql_args+=(-v "cj_table=$table" -v "cj_customer_col=$customer_col" -v "cj_time_col=$time_col"
    -v "cj_stage_col=$stage_col" -v "cj_event_col=$event_col" -v "cj_channel_col=$channel_col"
    -v "cj_value_col=$value_col" -v "cj_segment_col=$segment_col" -v "cj_customers=$customers"
    -v "cj_treated_col=$treated_col" -v "cj_treated_value=$treated_value" -v "cj_control_value=$control_value"
    -v "cj_stages=$stages" -v "cj_stage_type=$stage_type" -v "cj_funnel=$funnel"
    -v "cj_funnel_window=$funnel_window" -v "cj_conversion=$conversion" -v "cj_models=$models"
    -v "cj_path_steps=$path_steps" -v "cj_retention_weeks=$retention_weeks" -v "cj_as_of=$as_of"
    -v "cj_title=$title")
if ! psql "${psql_args[@]}" -f "$here/journey_report.sql" >"$tmp/data.json" 2>"$tmp/psql.err"; then
    cat "$tmp/psql.err" >&2
    die "the report's SQL failed (see above)"
fi
[[ -s $tmp/psql.err ]] && cat "$tmp/psql.err" >&2
[[ $(head -c 1 "$tmp/data.json") == '{' ]] || die "the report's SQL printed no JSON document"

# --- the page ---------------------------------------------------------------------
html_escape() { sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g' "$@"; }
{
    while IFS= read -r line || [[ -n $line ]]; do
        case $line in
        '<!--CJ:ECHARTS-->')
            printf '<script>/* Apache ECharts %s (https://echarts.apache.org), Apache License 2.0: see the end of the page */\n' \
                "$echarts_version"
            # a literal "</script" would end the element early; echarts has none
            sed 's#</script#<\\/script#g' "$echarts/dist/echarts.min.js"
            printf '\n</script>\n'
            ;;
        '<!--CJ:DATA-->')
            printf '<script type="application/json" id="cj-data">\n'
            cat "$tmp/data.json"
            printf '</script>\n'
            ;;
        '<!--CJ:LICENSE-->')
            printf 'Apache ECharts %s\n\n' "$echarts_version"
            html_escape "$echarts/LICENSE"
            [[ ! -f $echarts/NOTICE ]] || { echo; html_escape "$echarts/NOTICE"; }
            for f in "$echarts"/licenses/*; do
                [[ -f $f ]] || continue
                printf '\n--- %s ---\n' "licenses/${f##*/}"
                html_escape "$f"
            done
            ;;
        *) printf '%s\n' "$line" ;;
        esac
    done <"$here/journey_report.html"
} >"$tmp/report.html"
[[ -z $json_out ]] || cp "$tmp/data.json" "$json_out" || die "cannot write $json_out"
mv -f "$tmp/report.html" "$output" || die "cannot write $output"
chmod a+r "$output" 2>/dev/null || true
printf '%s\n' "$(cd "$(dirname "$output")" && pwd)/$(basename "$output")"
