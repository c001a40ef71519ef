// kube-sim: starts and stops local Kubernetes control planes built by ../build.sh.
module kube-sim/launcher

go 1.26.0
