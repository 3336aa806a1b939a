#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine, for `hwflow explore --executor slurm` and its test
# (recipe: docs/explore.md, from /work/shared/TOOLCHAIN.md). Needs root and Debian's slurm-wlm + munge.
#
#   scripts/slurm-up.sh DIR        start munged (if not running), slurmctld and slurmd with state,
#                                  spool, logs and pid files in DIR; waits until the node is idle and
#                                  prints `export SLURM_CONF=DIR/slurm.conf` on its last line.
#   scripts/slurm-up.sh --down DIR stop the daemons it started, by the pids in DIR (munged stays up).
#
# A cluster already running from DIR is reused. Ports: SLURM_UP_PORT (slurmctld, default 6817) and
# the next one (slurmd).
set -euo pipefail

if [ "${1:-}" = --down ]; then
  dir=$(realpath "${2:?usage: slurm-up.sh --down DIR}")
  for d in slurmd slurmctld; do
    f="$dir/$d.pid"
    pid=$(cat "$f" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$f"
  done
  exit 0
fi

dir=${1:?usage: slurm-up.sh DIR | slurm-up.sh --down DIR}
mkdir -p "$dir"
dir=$(realpath "$dir")
for t in slurmctld slurmd munged sbatch sinfo; do
  command -v "$t" >/dev/null || { echo "slurm-up: $t not found; install Debian's slurm-wlm and munge (npm run setup does)" >&2; exit 3; }
done
[ "$(id -u)" = 0 ] || { echo "slurm-up: the daemons run as root here (SlurmUser=root); run as root" >&2; exit 3; }

conf="$dir/slurm.conf"
alive() { [ -s "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }
if alive slurmctld && alive slurmd; then
  echo "slurm-up: already running from $dir"
  echo "export SLURM_CONF=$conf"
  exit 0
fi

# munge: one key per machine, the daemon as the munge user.
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! pgrep -u munge -x munged >/dev/null; then
  runuser -u munge -- /usr/sbin/munged
fi

host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 8 / 10 ))
port=${SLURM_UP_PORT:-6817}
mkdir -p "$dir/state" "$dir/spool"
cat > "$conf" <<CONF
ClusterName=hwflow
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
MaxArraySize=10001
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=hwflow Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

export SLURM_CONF=$conf
alive slurmctld || slurmctld -f "$conf"
alive slurmd || slurmd -f "$conf"
for _ in $(seq 100); do
  state=$(sinfo -h -N -o '%t' 2>/dev/null | head -1 || true)
  case "$state" in idle*|mix*|alloc*) echo "slurm-up: node $host $state ($cpus CPUs), conf $conf"; echo "export SLURM_CONF=$conf"; exit 0 ;; esac
  sleep 0.2
done
echo "slurm-up: the node did not come up (state '${state:-none}'); see $dir/slurmctld.log and $dir/slurmd.log" >&2
exit 1
