# shellcheck shell=bash
# For the bench wrappers (sourced after scripts/lib/common.sh and load_profile): start what a bench
# needs of the profile's stack and, at exit, stop only what was started here. A service already
# running (another bench, `npm start`) is used and left running.

BENCH_STARTED=()

bench_service_running() {
  case "$1" in
    # The server's own pid file: also finds a PostgreSQL that another script started.
    postgres) pid_alive "$(head -n 1 "${PROFILE_DIR}/pg/postmaster.pid" 2>/dev/null || true)" ;;
    *) pid_alive "$(read_pid "${RUN_DIR}/$1.pid")" ;;
  esac
}

# bench_stack_up <profile> <service>...: starts those of the services that are not running.
bench_stack_up() {
  local profile=$1 service
  shift
  for service in "$@"; do bench_service_running "$service" || BENCH_STARTED+=("$service"); done
  if [ ${#BENCH_STARTED[@]} -gt 0 ]; then "${PROJECT_ROOT}/scripts/stack.sh" "$profile" start "${BENCH_STARTED[@]}"; fi
}

# bench_stack_down <profile>: stops what bench_stack_up started, quietly (into the profile's log
# directory), so that the headline figures stay the last lines printed.
bench_stack_down() {
  if [ ${#BENCH_STARTED[@]} -gt 0 ]; then
    "${PROJECT_ROOT}/scripts/stack.sh" "$1" stop "${BENCH_STARTED[@]}" >>"${LOG_DIR}/bench-stack-stop.log" 2>&1 || true
  fi
}
