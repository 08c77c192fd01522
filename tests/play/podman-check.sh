#!/usr/bin/env bash
# Can podman run the stack here? Silent and exit 0 if so; otherwise one line (what is wrong, and the fix) and exit 1.
# Run before `-P play` builds anything, and by the end-to-end test.
conf='/etc/containers/containers.conf: [containers] default_ulimits = [], [engine] runtime = "runc", cgroup_manager = "cgroupfs" (as .ci/run writes it)'
if ! command -v podman >/dev/null 2>&1; then
  echo "podman is not installed: apt-get install -y podman runc, then set $conf"
  exit 1
fi
if ! info=$(podman info --format '{{.Host.OCIRuntime.Name}} {{.Host.CgroupsVersion}}' 2>&1); then
  echo "podman does not work here ($(echo "$info" | tail -1)): set $conf"
  exit 1
fi
if [ "$info" = "crun v1" ]; then
  echo "podman uses crun on cgroup v1, which cannot start containers on this kind of machine: apt-get install -y runc and set $conf"
  exit 1
fi
