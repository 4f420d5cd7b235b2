#!/usr/bin/env bash
# A real single-node SLURM cluster on this machine, for tests/test_cluster.py: munged, slurmctld
# and slurmd from Debian's packages (bookworm: SLURM 22.05), as root, without systemd, cgroups or
# accounting (no slurmdbd: `sacct` fails, so Snakemake must use `--slurm-status-command squeue`).
#
#   tests/cluster/local_slurm.sh start   install the packages if missing, start, wait for the node
#   tests/cluster/local_slurm.sh stop    cancel its jobs, stop the daemons `start` started
#
# Its config is /etc/slurm/slurm.conf, where every SLURM command looks (the Snakemake jobs' srun
# gets no SLURM_CONF: the jobstep plugin drops SLURM_* variables); it refuses to replace one it
# did not write. State, daemon logs and PIDs live in $LOCAL_SLURM_DIR.
set -euo pipefail

DIR=${LOCAL_SLURM_DIR:-/run/gaia-local-slurm}
CONF=/etc/slurm/slurm.conf
MARK="# written by tests/cluster/local_slurm.sh"
HOST=$(hostname -s)

log() { echo "[local-slurm] $*" >&2; }
fail() {
  log "ERROR: $*"
  for f in "$DIR"/*.log; do [ -f "$f" ] && { echo "== $f"; tail -n 20 "$f"; } >&2; done
  exit 1
}
# wait_for SECONDS COMMAND...: poll COMMAND once a second until it succeeds (status 1 if never).
wait_for() {
  local seconds=$1
  shift
  for _ in $(seq "$seconds"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  return 1
}
alive() { [ -f "$DIR/$1.pid" ] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }
munge_answers() { munge -n | unmunge; }
controller_up() { scontrol ping | grep -q UP; }
node_idle() { sinfo -h -n "$HOST" -o %T | grep -qx idle; }
no_running_jobs() { [ -z "$(squeue -h -t running,completing)" ]; }

install_packages() {
  local missing=() p
  for p in munge slurmctld slurmd slurm-client; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  log "installing ${missing[*]}"
  # Keep the packages' init scripts from starting daemons with their own (absent) config.
  local policy=/usr/sbin/policy-rc.d
  if [ ! -e $policy ]; then
    printf '#!/bin/sh\nexit 101\n' >$policy && chmod +x $policy
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

write_config() {
  # slurmctld must resolve its own host name.
  getent hosts "$HOST" >/dev/null || echo "127.0.0.1 $HOST" >>/etc/hosts
  # The node as slurmd detects it ("NodeName=vm CPUs=2 Boards=1 ... RealMemory=24105"): a
  # declared topology or memory it does not find would drain the node.
  local node
  node=$(slurmd -C | head -n 1 | sed "s/^NodeName=[^ ]*/NodeName=$HOST NodeAddr=127.0.0.1/")
  if [ -e $CONF ] && [ "$(head -n 1 $CONF)" != "$MARK" ]; then
    fail "$CONF exists and was not written by this script: move it away first"
  fi
  mkdir -p /etc/slurm
  cat >$CONF <<EOF
$MARK
ClusterName=gaia-local
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
# no systemd, no cgroups, no accounting
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
# Finished jobs stay visible to squeue and scontrol for 10 minutes: Snakemake's status queries
# (squeue) and the test's checks read them there.
MinJobAge=600
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
StateSaveLocation=$DIR/ctld
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
$node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
  if munge_answers >/dev/null 2>&1; then return; fi # running: not ours to stop
  mkdir -p /run/munge
  chown munge:munge /run/munge
  [ -s /etc/munge/munge.key ] || runuser -u munge -- mungekey --create
  runuser -u munge -- /usr/sbin/munged # daemonizes; its PID is in its pid file
  wait_for 20 munge_answers || fail "munged does not answer"
  cp /run/munge/munged.pid "$DIR/munged.pid"
}

start() {
  [ "$(id -u)" = 0 ] || fail "must run as root"
  stop # daemons an interrupted run left behind would hold the ports
  install_packages
  rm -rf "$DIR"
  mkdir -p "$DIR/ctld" "$DIR/spool"
  write_config
  start_munge
  # -D: in the foreground (their pid files name them), logging to stderr.
  nohup /usr/sbin/slurmctld -D >"$DIR/slurmctld.log" 2>&1 </dev/null &
  wait_for 30 controller_up || fail "slurmctld does not answer"
  nohup /usr/sbin/slurmd -D >"$DIR/slurmd.log" 2>&1 </dev/null &
  wait_for 30 node_idle || fail "node $HOST not idle"
  log "up: $(sinfo -h -o '%P %T %c CPUs %m MB')"
}

stop() {
  # Jobs first: a killed Snakemake leaves them running under slurmstepd, outside the daemons.
  if alive slurmctld; then
    scancel --user root 2>/dev/null || true
    wait_for 20 no_running_jobs || true
  fi
  local name pid pids=()
  for name in slurmd slurmctld munged; do
    alive "$name" || continue
    pid=$(cat "$DIR/$name.pid")
    kill -TERM "$pid"
    pids+=("$pid")
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || continue 2; sleep 0.5; done
    log "$pid ignored TERM: killing it"
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -f "$DIR"/*.pid
  # A job killed at its time limit can leave its Snakemake job step behind, reparented to init
  # and waiting on daemons that are gone (seen after the time-limit test): nothing of a stopped
  # cluster may go on running.
  pkill -KILL -f -- "--executor slurm-jobstep" 2>/dev/null || true
  [ ! -e $CONF ] || [ "$(head -n 1 $CONF)" != "$MARK" ] || rm $CONF
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2 && exit 2 ;;
esac
