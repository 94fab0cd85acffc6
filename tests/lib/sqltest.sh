# tests/lib/sqltest.sh: the start of a test of the SQL functions: common.sh
# and plansql.sh sourced, the working directory at the checkout's root, a
# private PostgreSQL with the migrations applied, and test_plan_rows() /
# test_planq_ingest() installed (plansql.sh's install_plan_rows).
#   . "$(dirname "$0")/../lib/sqltest.sh"
set -u
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$ROOT/tests/lib/plansql.sh"
cd "$ROOT" || exit 1
setup_db
install_plan_rows
