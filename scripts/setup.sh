#!/usr/bin/env bash
# Installs what hwflow needs on a fresh Debian machine: the simulators and FPGA tools from Debian's
# packages (only those missing), then the npm dependencies. Chromium comes too (the HTML report test
# opens the report in a real browser); HWFLOW_SETUP_CHROMIUM=0 leaves it out, and that test then skips.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have verilator || need+=(verilator)
have iverilog || need+=(iverilog)
have yosys || need+=(yosys)
have nextpnr-ice40 || need+=(nextpnr-ice40)
have icepack || need+=(fpga-icestorm)
have ccache || need+=(ccache)
# Formal (hwflow prove --solver z3|boolector): SMT solvers yosys-smtbmc drives.
have z3 || need+=(z3)
have boolector || need+=(boolector)
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)
# Slurm and munge: `hwflow explore --executor slurm` and its test (scripts/slurm-up.sh starts a one-node cluster).
have sbatch || need+=(slurm-wlm)
have munged || need+=(munge)
if [ "${HWFLOW_SETUP_CHROMIUM:-1}" != 0 ] && ! have chromium; then need+=(chromium); fi

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""
  elif have sudo && sudo -n true 2>/dev/null; then sudo="sudo"
  else
    echo "hwflow setup: missing ${need[*]}, and this user can neither install packages (not root) nor use sudo." >&2
    echo "Ask an administrator to run: apt-get install -y --no-install-recommends ${need[*]}" >&2
    exit 1
  fi
  echo "hwflow setup: installing ${need[*]} from Debian's packages"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "hwflow setup: verilator, iverilog, yosys, nextpnr-ice40, icestorm, ccache, z3, boolector, slurm, munge already installed"
fi

npm ci --no-audit --no-fund
echo "hwflow setup: done ($(verilator --version | head -1); $(yosys -V))"
