# Sourced by the benchmarks that can pin their server and their client to
# CPUs apart: PIN=SERVER_CPU:CLIENT_CPU (e.g. 0:1; default none) sets
# pin_server and pin_client to taskset prefixes, which the script puts
# before the server and before the client. On a machine shared with other
# work the scheduler then cannot move them onto one core.
# shellcheck shell=bash
# shellcheck disable=SC2034  # variables for the sourcing script
pin_server=()
pin_client=()
if [ -n "${PIN:-}" ]; then
  [[ $PIN =~ ^([0-9]+):([0-9]+)$ ]] || { echo "PIN: expected SERVER_CPU:CLIENT_CPU, got '$PIN'" >&2; exit 2; }
  # taskset execs the command, so $! stays the server's own pid.
  pin_server=(taskset -c "${BASH_REMATCH[1]}")
  pin_client=(taskset -c "${BASH_REMATCH[2]}")
fi
