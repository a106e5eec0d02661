#!/usr/bin/env bash
# A one-node Slurm cluster on localhost for test/e2e/slurm.test.ts: Debian's munge, slurmctld and slurmd, all state
# under DIR (a temporary folder), its own munge key, socket and ports, so a Slurm already on the machine is untouched.
#
#   start-cluster.sh DIR     starts munged, slurmctld and slurmd; prints `SLURM_CONF=DIR/slurm.conf` when the node
#                            answers (idle). Exit 3 with one line saying why when it cannot be tried here (not root,
#                            not installed); exit 4 with one line when a daemon fails (its log is named)
#   start-cluster.sh --stop DIR
#
# Clients (sbatch, squeue, sacct) find the cluster through SLURM_CONF. Needs root: slurmd runs jobs as their user.
set -euo pipefail

stop=0
if [[ "${1:-}" == "--stop" ]]; then stop=1; shift; fi
dir="${1:?usage: start-cluster.sh [--stop] DIR}"

if [[ $stop == 1 ]]; then
  for name in slurmd slurmctld munged; do
    pidfile="$dir/$name.pid"
    [[ -f $pidfile ]] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  exit 0
fi

cannot() { echo "cannot start a Slurm cluster: $*"; exit 3; }
failed() { echo "the Slurm cluster did not start: $*"; "$0" --stop "$dir" >/dev/null 2>&1 || true; exit 4; }
[[ $(id -u) == 0 ]] || cannot "not root (slurmd must run as root to start jobs)"
for tool in munged slurmctld slurmd sbatch sinfo; do
  command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || cannot "$tool is not installed (apt-get install slurmctld slurmd munge slurm-client; npm run setup does it when root)"
done
export PATH="$PATH:/usr/sbin"

plugins=$(dirname "$(find /usr/lib -name select_cons_tres.so -print -quit 2>/dev/null || true)")
[[ -n $plugins && -d $plugins ]] || cannot "Slurm's plugins (select_cons_tres.so) are not under /usr/lib"

mkdir -p "$dir"/{munge,state,spool,log}
chmod 700 "$dir/munge"
# Ports in a range a system Slurm does not use by default (6817/6818); the caller may pick others.
ctld_port="${SLURM_TEST_CTLD_PORT:-16817}"
slurmd_port="${SLURM_TEST_SLURMD_PORT:-16818}"
cpus="${SLURM_TEST_CPUS:-2}"

# munge: its own key and socket (munged refuses a key others can read; --force lets it run as root).
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
socket="$dir/munge/munge.socket"
munged --force --key-file="$dir/munge/munge.key" --socket="$socket" --pid-file="$dir/munged.pid" \
  --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munge.seed" \
  || failed "munged did not start (see $dir/log/munged.log)"

mem=$(awk '/MemTotal/ { print int($2 / 1024 / 2) }' /proc/meminfo)
cat > "$dir/slurm.conf" <<CONF
ClusterName=svcca-test
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
PluginDir=$plugins
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
SlurmctldTimeout=30
SlurmdTimeout=30
MinJobAge=600
KillWait=5
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
mkdir -p "$dir/spool/localhost"
export SLURM_CONF="$dir/slurm.conf"

slurmctld -c -f "$SLURM_CONF" || failed "slurmctld did not start (see $dir/log/slurmctld.log)"
# slurmd loads a cgroup plugin even though no job is confined by one (Slurm 22.05 has no CgroupPlugin=disabled):
# autodetection first, then each version by name, for containers whose cgroup mounts confuse the detection.
started=0
for plugin in "" cgroup/v1 cgroup/v2; do
  if [[ -n $plugin ]]; then printf 'CgroupPlugin=%s\n' "$plugin" > "$dir/cgroup.conf"; fi
  if slurmd -N localhost -f "$SLURM_CONF" 2>>"$dir/log/slurmd.start"; then started=1; break; fi
done
[[ $started == 1 ]] || failed "slurmd did not start (see $dir/log/slurmd.log)"

for _ in $(seq 100); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
  if [[ $state == idle* ]]; then echo "SLURM_CONF=$SLURM_CONF"; exit 0; fi
  sleep 0.2
done
failed "the node did not come up idle in 20 s (state '${state:-none}'; see $dir/log/slurmctld.log and slurmd.log)"
