// Command kube-sim starts and stops local Kubernetes clusters on loopback: etcd, kube-apiserver
// (TLS, token authentication, RBAC, service-account keys), kube-controller-manager,
// kube-scheduler and kwok with fake nodes. The binaries are the ones ../build.sh built next to
// this launcher.
//
//	kube-sim up     --name nonprod [--port 16443|0] [--nodes 2] [--state-dir DIR]
//	kube-sim down   --name nonprod [--state-dir DIR]
//	kube-sim status --name nonprod [--state-dir DIR]
//
// `up` is idempotent: a healthy running cluster of that name is left alone. It writes
// DIR/NAME/kubeconfig (admin) and DIR/NAME/cluster.json (server URL, CA, tokens, ports, pids).
// `down` stops only the processes it started (checked by their command line) and removes the
// cluster's data.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	name := fs.String("name", "nonprod", "cluster name (lowercase letters, digits, '-')")
	port := fs.Int("port", 16443, "API server port; the next five ports are used by etcd, controller-manager, scheduler and kwok; 0 picks free ports")
	nodes := fs.Int("nodes", 2, "number of fake nodes")
	stateDir := fs.String("state-dir", defaultStateDir(), "folder holding the clusters' data")
	_ = fs.Parse(os.Args[2:])

	if !regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$`).MatchString(*name) {
		fail(fmt.Errorf("--name %q: use lowercase letters, digits and '-' (at most 32)", *name))
	}
	dir, err := filepath.Abs(filepath.Join(*stateDir, *name))
	if err != nil {
		fail(err)
	}
	c := &cluster{Name: *name, Dir: dir, binDir: binDir()}

	switch cmd {
	case "up":
		if *nodes < 1 {
			fail(fmt.Errorf("--nodes must be at least 1"))
		}
		err = c.up(*port, *nodes)
	case "down":
		err = c.down()
	case "status":
		err = c.status()
	default:
		usage()
	}
	if err != nil {
		fail(err)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: kube-sim up|down|status --name NAME [--port N] [--nodes N] [--state-dir DIR]")
	os.Exit(2)
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "kube-sim: %v\n", err)
	os.Exit(1)
}

// binDir is the folder holding this launcher and the control-plane binaries.
func binDir() string {
	exe, err := os.Executable()
	if err != nil {
		fail(err)
	}
	exe, err = filepath.EvalSymlinks(exe)
	if err != nil {
		fail(err)
	}
	return filepath.Dir(exe)
}

// defaultStateDir is KUBE_SIM_STATE_DIR, or .kube-sim in the repository that holds the binaries
// (.tools/kube-sim/bin/kube-sim -> <repo>/.kube-sim).
func defaultStateDir() string {
	if d := os.Getenv("KUBE_SIM_STATE_DIR"); d != "" {
		return d
	}
	return filepath.Join(binDir(), "..", "..", "..", ".kube-sim")
}
