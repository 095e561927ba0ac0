#!/bin/sh
# Workload orban/matmul:1 (see orban_desktop/jobspec.py).
# Usage: sh matmul.sh <model file = matrix A> <input file = matrix B> <output file>
# Matrices are text: one row per line, integers separated by single spaces, every row the same
# length, entries within +-1000, at most 64 rows and 64 columns; A's columns == B's rows.
# Output: A x B in the same form. POSIX awk only (no math library): busybox and GNU alike.
set -eu
[ "$#" -eq 3 ] || { echo "usage: matmul.sh A B OUTPUT" >&2; exit 2; }

awk -v out="$3" -v max_dim=64 -v max_abs=1000 '
function fail(message) {
    print "matmul: " message | "cat 1>&2"; close("cat 1>&2"); failed = 1; exit 2
}
FNR == 1 { matrix++ }
{
    if ($0 !~ /^-?[0-9]+( -?[0-9]+)*$/) fail("matrix " matrix " row " FNR " is not integers separated by single spaces")
    if (NF > max_dim || FNR > max_dim) fail("matrix " matrix " is larger than " max_dim "x" max_dim)
    if (FNR == 1) cols[matrix] = NF
    else if (NF != cols[matrix]) fail("matrix " matrix " row " FNR " has " NF " entries, not " cols[matrix])
    rows[matrix] = FNR
    for (j = 1; j <= NF; j++) {
        value = $j + 0
        if (value > max_abs || value < -max_abs) fail("matrix " matrix " has an entry outside +-" max_abs)
        cell[matrix, FNR, j] = value
    }
}
END {
    if (failed) exit 2
    if (matrix != 2 || rows[1] == 0 || rows[2] == 0) fail("both matrices must have at least one row")
    if (cols[1] != rows[2]) fail("A has " cols[1] " columns but B has " rows[2] " rows")
    printf "" > out
    for (i = 1; i <= rows[1]; i++) {
        line = ""
        for (j = 1; j <= cols[2]; j++) {
            sum = 0
            for (k = 1; k <= cols[1]; k++) sum += cell[1, i, k] * cell[2, k, j]
            line = line (j > 1 ? " " : "") sprintf("%d", sum)
        }
        print line > out
    }
    close(out)
}
' "$1" "$2"
