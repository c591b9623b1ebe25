#!/usr/bin/env bash
# mpi.sh MMCHECK MPI_CLASSIC: the distributed search on this machine. Under
# `mpirun --oversubscribe -np 3` the seed-000 scenarios (fixed: exhaustive;
# reverted: the first counterexample) and the classic programs of
# mpi_classic must give exactly what one process gives: the same executions,
# steps, verdict and counterexample. Run from the repository root; exit 77
# (skipped) when mpirun is missing or cannot start two processes here.
set -u
mmcheck=$1
classic=$2
command -v mpirun >/dev/null || { echo "mpirun not installed: skipped"; exit 77; }
# As root (CI containers) Open MPI wants to be told; no shared-memory
# single-copy (ptrace-based CMA is often forbidden in containers).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
# One machine: no remote shell is needed (a container may have no ssh at all).
export OMPI_MCA_plm_rsh_agent=${OMPI_MCA_plm_rsh_agent:-false}
mpi() { timeout 300 mpirun --oversubscribe -np "$1" "${@:2}"; }
# An MPI runtime that cannot start two processes here at all (no shared
# memory, a sandbox) is not a fault of mmcheck: skipped, with its words.
if ! probe=$(mpi 2 true 2>&1); then
  echo "mpirun cannot start 2 processes on this machine: skipped"
  echo "$probe" | head -20
  exit 77
fi
status=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# What must agree: the verdict line, the counts of the search line, and the
# counterexample's schedule (one line of the trace file).
summary() {
  local trace=$1
  shift
  local out
  out=$("$@" --trace-out "$trace" 2>/dev/null)
  grep '^verdict:' <<<"$out"
  grep '^search:' <<<"$out" | sed -E 's/^search: ([0-9]+) executions.* ([0-9]+) steps, max depth ([0-9]+).*, ([a-z]+[^;]*).*/\1 \2 \3 \4/'
  [ -f "$trace" ] && grep '"schedule"' "$trace"
  rm -f "$trace"
}
for scenario in scenarios/ksm/foll-migration-fixed.json scenarios/ksm/foll-migration-reverted.json; do
  one=$(summary "$tmp/one.json" "$mmcheck" run "$scenario" --first-found)
  for np in 2 3; do
    got=$(summary "$tmp/got.json" mpi $np "$mmcheck" run "$scenario" --first-found)
    echo "--- $scenario: 1 process:"; echo "${one:0:300}"
    echo "--- $np processes:"; echo "${got:0:300}"
    [ -n "$one" ] && [ "$one" = "$got" ] || { echo "FAIL: $scenario with $np processes differs"; status=1; }
  done
done
# Two jobs per process too.
one=$(summary "$tmp/one.json" "$mmcheck" run scenarios/ksm/foll-migration-fixed.json)
got=$(summary "$tmp/got.json" mpi 2 "$mmcheck" run scenarios/ksm/foll-migration-fixed.json --jobs 2)
[ "$one" = "$got" ] || { echo "FAIL: 2 processes of 2 jobs differ"; status=1; }
# Rank 0 alone prints: one report.
n=$(mpi 3 "$mmcheck" run scenarios/ksm/foll-migration-reverted.json --first-found 2>/dev/null | grep -c '^verdict:')
[ "$n" = 1 ] || { echo "FAIL: $n reports printed, expected 1 (rank 0)"; status=1; }
# The classic programs.
one=$("$classic")
got=$(mpi 3 "$classic")
echo "classic, 1 process:"; echo "$one"
echo "classic, 3 processes:"; echo "$got"
[ -n "$one" ] && [ "$one" = "$got" ] || { echo "FAIL: classic programs differ"; status=1; }
exit $status
