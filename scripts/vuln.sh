#!/bin/sh
# make vuln: govulncheck (pinned in go.mod's tool block) against the Go vulnerability database.
#   1. VULNDB if set (any -db URL), else the online database (https://vuln.go.dev);
#   2. when that cannot be reached, the snapshot at ../shared/vulndb (the layout
#      `govulncheck -db file://...` reads; its index/db.json has the snapshot date);
#   3. only when neither exists: "skipped", exit 0, said loudly.
# It prints which database it used. govulncheck exits non-zero when a vulnerability affects
# the code (a called symbol), and so does this script, so `make lint` fails on it.
GO=${GO:-go}
SNAPSHOT=${VULNDB_SNAPSHOT:-../shared/vulndb}

unreachable='^govulncheck: fetching vulnerabilities: .*\(no such host\|dial tcp\|connection refused\|i/o timeout\|network is unreachable\|TLS handshake\)'

run() { # $1: database URL ("" = govulncheck's default)
	if [ -n "$1" ]; then
		out=$($GO tool govulncheck -db "$1" ./... 2>&1)
	else
		out=$($GO tool govulncheck ./... 2>&1)
	fi
	rc=$?
}

db=${VULNDB:-}
run "$db"
if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q 'Vulnerability #' && printf '%s\n' "$out" | grep -q "$unreachable"; then
	printf '%s\n' "$out" | grep "$unreachable" >&2
	if [ -f "$SNAPSHOT/index/db.json" ]; then
		abs=$(cd "$SNAPSHOT" && pwd)
		date=$(sed -n 's/.*"modified" *: *"\([^"]*\)".*/\1/p' "$abs/index/db.json")
		echo "govulncheck: ${db:-https://vuln.go.dev} unreachable; using the snapshot file://$abs (modified $date)"
		db="file://$abs"
		run "$db"
		printf '%s\n' "$out"
		echo "govulncheck: database file://$abs, snapshot of $date (entries published later are not checked); exit $rc"
		exit $rc
	fi
	echo "govulncheck SKIPPED: the vulnerability database cannot be reached and there is no snapshot at $SNAPSHOT"
	exit 0
fi
printf '%s\n' "$out"
echo "govulncheck: database ${db:-https://vuln.go.dev} (online, current); exit $rc"
exit $rc
