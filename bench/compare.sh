#!/usr/bin/env bash
# Compare this checkout with an earlier commit in one run:
#   bash bench/compare.sh REV [run|appeals|points|deliberation]...
# (deliberation: DELIBERATION_ARGS passes options, e.g. "--only-http --seconds 10"; FRESH_CLUSTERS=1 when REV's
# schema differs from this checkout's: the old code cannot write to a cluster migrated by the new)
# Checks REV out into a temporary worktree, then alternates the two trees on the same machine (and, for the
# data benchmarks, the same kept PostgreSQL cluster: the first run builds the data): new, old, new, old, new.
# Both run with this checkout's .venv; each tree's own bench script and code (PYTHONPATH) are used.
set -euo pipefail
cd "$(dirname "$0")/.."
REV=${1:?usage: bench/compare.sh REV [run|appeals|points]...}
shift
if [ $# -gt 0 ]; then BENCHES=("$@"); else BENCHES=(run appeals points); fi
NEW=$PWD
PY=$NEW/.venv/bin/python
WORK=$(mktemp -d /tmp/gongzhi-compare.XXXXXX)
chmod 755 "$WORK"  # PostgreSQL runs as its own user when this runs as root: it must reach the cluster
OLD=$WORK/old
git worktree add -f -q "$OLD" "$REV"
trap 'git worktree remove --force "$OLD"; rm -rf "$WORK"' EXIT
# The old tree's translations compiled too (they are not in git), so both trees answer in Chinese alike.
"$NEW/.venv/bin/pybabel" -q compile --use-fuzzy -d "$OLD/src/gongzhi/locale" -D django || true
export GONGZHI_DATA_DIR=$WORK/data   # one data folder: both trees read numbers encrypted with the same key
for bench in "${BENCHES[@]}"; do
  if [ "$bench" = deliberation ]; then  # this checkout's script against both trees' code (REV's may lack
    # the steps measured now); each run builds its own compound in the one kept cluster
    GONGZHI_PG_DIR=$WORK/pg-$bench bash scripts/pg.sh run bash -c "
      for tree in '$NEW' '$OLD' '$NEW' '$OLD' '$NEW'; do
        echo \"=== $bench · \$([ \"\$tree\" = '$NEW' ] && echo new || echo 'old ($REV)')\"
        (cd \"\$tree\" && PYTHONPATH=\"\$tree/src\" '$PY' '$NEW/bench/deliberation.py' \${DELIBERATION_ARGS:-})
      done"
    continue
  fi
  script=bench/$bench.py
  if [ "$bench" = points ] || [ -n "${FRESH_CLUSTERS:-}" ]; then  # one cluster per run, old, new, old, new:
    # points builds its own small world each run; with FRESH_CLUSTERS the trees' schemas differ (new
    # migrations) and each tree builds its own data with its own migrations
    for i in 1 2; do
      for tree in "$OLD" "$NEW"; do
        echo "=== $bench · $([ "$tree" = "$NEW" ] && echo new || echo "old ($REV)")"
        GONGZHI_PG_DIR= bash scripts/pg.sh run bash -c "cd '$tree' && PYTHONPATH='$tree/src' '$PY' $script"
      done
    done
    continue
  fi
  GONGZHI_PG_DIR=$WORK/pg-$bench bash scripts/pg.sh run bash -c "
    for tree in '$NEW' '$OLD' '$NEW' '$OLD' '$NEW'; do
      echo \"=== $bench · \$([ \"\$tree\" = '$NEW' ] && echo new || echo 'old ($REV)')\"
      (cd \"\$tree\" && PYTHONPATH=\"\$tree/src\" '$PY' $script --keep)
    done"
done
