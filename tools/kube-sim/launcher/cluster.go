package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

//go:embed stages.yaml
var kwokStages []byte

const (
	serviceCIDR = "10.96.0.0/16"
	serviceIP   = "10.96.0.1"
	issuer      = "https://kubernetes.default.svc.cluster.local"
)

// components in start order; down stops them in reverse.
var components = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"}

type ports struct {
	APIServer         int `json:"apiServer"`
	EtcdClient        int `json:"etcdClient"`
	EtcdPeer          int `json:"etcdPeer"`
	ControllerManager int `json:"controllerManager"`
	Scheduler         int `json:"scheduler"`
	Kwok              int `json:"kwok"`
}

func portsFrom(base int) ports {
	return ports{base, base + 1, base + 2, base + 3, base + 4, base + 5}
}

func (p ports) list() map[string]int {
	return map[string]int{
		"kube-apiserver": p.APIServer, "etcd client": p.EtcdClient, "etcd peer": p.EtcdPeer,
		"kube-controller-manager": p.ControllerManager, "kube-scheduler": p.Scheduler, "kwok": p.Kwok,
	}
}

// info is what cluster.json holds for tools and tests.
type info struct {
	Name        string         `json:"name"`
	Server      string         `json:"server"`
	CAFile      string         `json:"caFile"`
	Kubeconfig  string         `json:"kubeconfig"`
	AdminToken  string         `json:"adminToken"`
	NobodyToken string         `json:"nobodyToken"`
	Ports       ports          `json:"ports"`
	Pids        map[string]int `json:"pids"`
	Nodes       []string       `json:"nodes"`
	StartedAt   time.Time      `json:"startedAt"`
}

type cluster struct {
	Name   string
	Dir    string
	binDir string
	exited map[string]chan struct{}
}

func (c *cluster) path(parts ...string) string {
	return filepath.Join(append([]string{c.Dir}, parts...)...)
}

func (c *cluster) logf(format string, args ...any) {
	fmt.Printf("kube-sim[%s]: %s\n", c.Name, fmt.Sprintf(format, args...))
}

func (c *cluster) up(basePort, nodeCount int) error {
	started := time.Now()
	if inf, err := c.readInfo(); err == nil {
		if c.healthy(inf) == nil {
			c.logf("already running at %s (kubeconfig %s)", inf.Server, inf.Kubeconfig)
			return nil
		}
		c.logf("found a stale cluster, cleaning it up")
	}
	if err := c.stopProcesses(); err != nil {
		return err
	}
	if err := os.RemoveAll(c.Dir); err != nil {
		return err
	}
	for _, d := range []string{"pki", "logs", "pids", "etcd"} {
		if err := os.MkdirAll(c.path(d), 0o700); err != nil {
			return err
		}
	}
	for _, bin := range components {
		if _, err := os.Stat(filepath.Join(c.binDir, bin)); err != nil {
			return fmt.Errorf("%s is not built in %s: run tools/kube-sim/build.sh", bin, c.binDir)
		}
	}

	p, err := c.choosePorts(basePort)
	if err != nil {
		return err
	}
	keys, err := writePKI(c.path("pki"))
	if err != nil {
		return fmt.Errorf("writing certificates: %w", err)
	}
	inf := &info{
		Name: c.Name, Server: fmt.Sprintf("https://127.0.0.1:%d", p.APIServer), CAFile: keys.CACert,
		Kubeconfig: c.path("kubeconfig"), AdminToken: randomToken(), NobodyToken: randomToken(),
		Ports: p, Pids: map[string]int{}, StartedAt: time.Now().UTC(),
	}
	tokens := fmt.Sprintf("%s,kube-sim-admin,kube-sim-admin,\"system:masters\"\n%s,kube-sim-nobody,kube-sim-nobody\n",
		inf.AdminToken, inf.NobodyToken)
	if err := os.WriteFile(c.path("pki", "tokens.csv"), []byte(tokens), 0o600); err != nil {
		return err
	}
	if err := c.writeKubeconfig(inf, keys); err != nil {
		return err
	}
	if err := os.WriteFile(c.path("kwok-stages.yaml"), kwokStages, 0o600); err != nil {
		return err
	}

	err = c.startAll(inf, keys, nodeCount)
	if err != nil {
		_ = c.stopProcesses()
		return fmt.Errorf("%w\n(logs are in %s)", err, c.path("logs"))
	}
	if err := c.writeInfo(inf); err != nil {
		return err
	}
	c.logf("ready in %.1fs: %s, %d nodes, kubeconfig %s", time.Since(started).Seconds(), inf.Server, len(inf.Nodes), inf.Kubeconfig)
	return nil
}

func (c *cluster) startAll(inf *info, keys *pki, nodeCount int) error {
	p := inf.Ports
	c.exited = map[string]chan struct{}{}
	kubeconfig := inf.Kubeconfig

	step := time.Now()
	if err := c.start(inf, "etcd",
		"--name=kube-sim", "--data-dir="+c.path("etcd"),
		fmt.Sprintf("--listen-client-urls=http://127.0.0.1:%d", p.EtcdClient),
		fmt.Sprintf("--advertise-client-urls=http://127.0.0.1:%d", p.EtcdClient),
		fmt.Sprintf("--listen-peer-urls=http://127.0.0.1:%d", p.EtcdPeer),
		fmt.Sprintf("--initial-advertise-peer-urls=http://127.0.0.1:%d", p.EtcdPeer),
		fmt.Sprintf("--initial-cluster=kube-sim=http://127.0.0.1:%d", p.EtcdPeer),
		"--listen-metrics-urls=", "--log-level=warn",
		// Throw-away data: durability is not worth the fsync latency here.
		"--unsafe-no-fsync=true", "--quota-backend-bytes=2147483648",
	); err != nil {
		return err
	}
	if err := c.waitFor("etcd", 30*time.Second, func() error {
		return getOK(plainClient(), fmt.Sprintf("http://127.0.0.1:%d/health", p.EtcdClient), "")
	}); err != nil {
		return err
	}
	c.logf("etcd ready (%.1fs)", time.Since(step).Seconds())

	step = time.Now()
	if err := c.start(inf, "kube-apiserver",
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", p.EtcdClient),
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", p.APIServer),
		"--advertise-address=127.0.0.1",
		// The built-in "kubernetes" Service would point at 127.0.0.1, which endpoints refuse.
		"--endpoint-reconciler-type=none",
		"--cert-dir="+c.path("pki"),
		"--tls-cert-file="+keys.ServingCert, "--tls-private-key-file="+keys.ServingKey,
		"--client-ca-file="+keys.CACert,
		"--token-auth-file="+c.path("pki", "tokens.csv"),
		"--authorization-mode=RBAC",
		"--service-account-issuer="+issuer, "--api-audiences="+issuer,
		"--service-account-key-file="+keys.SAPub, "--service-account-signing-key-file="+keys.SAKey,
		"--service-cluster-ip-range="+serviceCIDR,
		"--allow-privileged=true", "--profiling=false", "--v=0",
	); err != nil {
		return err
	}
	api := apiClient(inf)
	if err := c.waitFor("kube-apiserver", 120*time.Second, func() error {
		return getOK(api, inf.Server+"/readyz", inf.AdminToken)
	}); err != nil {
		return err
	}
	c.logf("kube-apiserver ready (%.1fs)", time.Since(step).Seconds())

	step = time.Now()
	if err := c.start(inf, "kube-controller-manager",
		"--kubeconfig="+kubeconfig, "--authentication-kubeconfig="+kubeconfig, "--authorization-kubeconfig="+kubeconfig,
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", p.ControllerManager),
		"--cert-dir="+c.path("pki", "kcm"),
		"--service-account-private-key-file="+keys.SAKey, "--root-ca-file="+keys.CACert,
		"--cluster-signing-cert-file="+keys.CACert, "--cluster-signing-key-file="+keys.CAKey,
		"--use-service-account-credentials=true", "--service-cluster-ip-range="+serviceCIDR,
		"--leader-elect=false", "--profiling=false", "--v=0",
		// No client-side rate limits (as kwokctl does): the pods are fake, so
		// the controllers, not a real cluster's nodes, would set the pace.
		"--kube-api-qps=5000", "--kube-api-burst=10000",
		"--concurrent-deployment-syncs=20", "--concurrent-replicaset-syncs=20",
	); err != nil {
		return err
	}
	if err := c.start(inf, "kube-scheduler",
		"--kubeconfig="+kubeconfig, "--authentication-kubeconfig="+kubeconfig, "--authorization-kubeconfig="+kubeconfig,
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", p.Scheduler),
		"--cert-dir="+c.path("pki", "scheduler"),
		"--leader-elect=false", "--profiling=false", "--v=0",
		"--kube-api-qps=5000", "--kube-api-burst=10000",
	); err != nil {
		return err
	}
	if err := c.start(inf, "kwok",
		"--kubeconfig="+kubeconfig, "--config="+c.path("kwok-stages.yaml"),
		"--manage-all-nodes=true", "--node-lease-duration-seconds=40",
		"--cidr=10.244.0.1/16", "--node-ip=10.0.0.1",
		fmt.Sprintf("--server-address=127.0.0.1:%d", p.Kwok),
	); err != nil {
		return err
	}
	insecure := insecureClient()
	for name, url := range map[string]string{
		"kube-controller-manager": fmt.Sprintf("https://127.0.0.1:%d/healthz", p.ControllerManager),
		"kube-scheduler":          fmt.Sprintf("https://127.0.0.1:%d/healthz", p.Scheduler),
		"kwok":                    fmt.Sprintf("http://127.0.0.1:%d/healthz", p.Kwok),
	} {
		if err := c.waitFor(name, 60*time.Second, func() error { return getOK(insecure, url, "") }); err != nil {
			return err
		}
	}
	c.logf("controller-manager, scheduler and kwok ready (%.1fs)", time.Since(step).Seconds())

	step = time.Now()
	for i := range nodeCount {
		name := fmt.Sprintf("kube-sim-node-%d", i)
		if err := createNode(api, inf, name); err != nil {
			return fmt.Errorf("creating node %s: %w", name, err)
		}
		inf.Nodes = append(inf.Nodes, name)
	}
	if err := c.waitFor("nodes", 60*time.Second, func() error { return nodesReady(api, inf, nodeCount) }); err != nil {
		return err
	}
	// Pods can only be admitted once the service-account controller created "default".
	if err := c.waitFor("default service account", 60*time.Second, func() error {
		return getOK(api, inf.Server+"/api/v1/namespaces/default/serviceaccounts/default", inf.AdminToken)
	}); err != nil {
		return err
	}
	c.logf("%d nodes Ready (%.1fs)", nodeCount, time.Since(step).Seconds())
	return nil
}

// start launches a component in its own process group, logging to logs/<name>.log.
func (c *cluster) start(inf *info, name string, args ...string) error {
	logFile, err := os.OpenFile(c.path("logs", name+".log"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(filepath.Join(c.binDir, name), args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "HOME="+c.Dir) // keeps kwok away from ~/.kwok
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", name, err)
	}
	inf.Pids[name] = cmd.Process.Pid
	if err := os.WriteFile(c.path("pids", name+".pid"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o600); err != nil {
		return err
	}
	done := make(chan struct{})
	c.exited[name] = done
	go func() { _ = cmd.Wait(); close(done) }()
	return nil
}

// waitFor polls check until it succeeds, a started component exits, or the timeout passes.
func (c *cluster) waitFor(what string, timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		for name, done := range c.exited {
			select {
			case <-done:
				return fmt.Errorf("%s exited while waiting for %s:\n%s", name, what, tail(c.path("logs", name+".log"), 15))
			default:
			}
		}
		if last = check(); last == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s: %v", what, timeout, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (c *cluster) choosePorts(base int) (ports, error) {
	if base != 0 {
		p := portsFrom(base)
		for what, port := range p.list() {
			if !portFree(port) {
				return p, fmt.Errorf("port %d (%s) is in use: stop what uses it or pass another --port", port, what)
			}
		}
		return p, nil
	}
	// Stay below the kernel's ephemeral range: outgoing connections take ports
	// from it at any moment, and one could grab a port between our check and
	// the component binding it.
	low, high := 20000, ephemeralPortStart()-10
	if high <= low {
		low, high = 10000, 20000
	}
	slots := (high - low) / 10
	for range 200 {
		p := portsFrom(low + rand.IntN(slots)*10)
		free := true
		for _, port := range p.list() {
			free = free && portFree(port)
		}
		if free {
			return p, nil
		}
	}
	return ports{}, fmt.Errorf("no six free consecutive ports found between %d and %d", low, high)
}

// ephemeralPortStart is the first port of the kernel's ephemeral range.
func ephemeralPortStart() int {
	data, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return 32768
	}
	start, err := strconv.Atoi(fields[0])
	if err != nil {
		return 32768
	}
	return start
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}

func (c *cluster) writeKubeconfig(inf *info, keys *pki) error {
	ca, err := os.ReadFile(keys.CACert)
	if err != nil {
		return err
	}
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    server: %[2]s
    certificate-authority-data: %[3]s
users:
- name: %[1]s-admin
  user:
    token: %[4]s
contexts:
- name: %[1]s
  context:
    cluster: %[1]s
    user: %[1]s-admin
current-context: %[1]s
`, "kube-sim-"+c.Name, inf.Server, base64.StdEncoding.EncodeToString(ca), inf.AdminToken)
	return os.WriteFile(inf.Kubeconfig, []byte(cfg), 0o600)
}

func (c *cluster) writeInfo(inf *info) error {
	data, err := json.MarshalIndent(inf, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(c.path("cluster.json"), append(data, '\n'), 0o600)
}

func (c *cluster) readInfo() (*info, error) {
	data, err := os.ReadFile(c.path("cluster.json"))
	if err != nil {
		return nil, err
	}
	var inf info
	return &inf, json.Unmarshal(data, &inf)
}

// healthy checks that every component still runs and the API server is ready.
func (c *cluster) healthy(inf *info) error {
	for _, name := range components {
		if !c.ours(inf.Pids[name]) {
			return fmt.Errorf("%s is not running", name)
		}
	}
	return getOK(apiClient(inf), inf.Server+"/readyz", inf.AdminToken)
}

func (c *cluster) status() error {
	inf, err := c.readInfo()
	if err != nil {
		return fmt.Errorf("cluster %s is not running (no %s)", c.Name, c.path("cluster.json"))
	}
	if err := c.healthy(inf); err != nil {
		return fmt.Errorf("cluster %s is unhealthy: %v", c.Name, err)
	}
	c.logf("running at %s since %s, kubeconfig %s", inf.Server, inf.StartedAt.Format(time.RFC3339), inf.Kubeconfig)
	return nil
}

func (c *cluster) down() error {
	if _, err := os.Stat(c.Dir); errors.Is(err, os.ErrNotExist) {
		c.logf("not running")
		return nil
	}
	inf, _ := c.readInfo()
	if err := c.stopProcesses(); err != nil {
		return err
	}
	if inf != nil {
		for what, port := range inf.Ports.list() {
			if err := waitUntil(10*time.Second, func() bool { return portFree(port) }); err != nil {
				return fmt.Errorf("port %d (%s) still in use after stopping", port, what)
			}
		}
	}
	if err := os.RemoveAll(c.Dir); err != nil {
		return err
	}
	c.logf("stopped and removed %s", c.Dir)
	return nil
}

// stopProcesses stops the processes recorded in pids/, in reverse start order. A pid is only
// signalled when its command line still refers to this cluster's folder, so a pid reused by an
// unrelated process is left alone.
func (c *cluster) stopProcesses() error {
	for i := len(components) - 1; i >= 0; i-- {
		name := components[i]
		data, err := os.ReadFile(c.path("pids", name+".pid"))
		if err != nil {
			continue
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
		if !c.ours(pid) {
			continue
		}
		_ = syscall.Kill(-pid, syscall.SIGTERM)
		if waitUntil(15*time.Second, func() bool { return !alive(pid) }) != nil {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			if waitUntil(5*time.Second, func() bool { return !alive(pid) }) != nil {
				return fmt.Errorf("%s (pid %d) does not stop", name, pid)
			}
		}
	}
	return nil
}

func (c *cluster) ours(pid int) bool {
	if pid <= 0 || !alive(pid) {
		return false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && bytes.Contains(cmdline, []byte(c.Dir))
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name: "pid (comm) S ...".
	s := string(stat)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && len(s) > i+2 {
		return s[i+2] != 'Z'
	}
	return true
}

func waitUntil(timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return errors.New("timeout")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

func tail(path string, lines int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(no log)"
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return "  " + strings.Join(all, "\n  ")
}

func plainClient() *http.Client { return &http.Client{Timeout: 2 * time.Second} }

func insecureClient() *http.Client {
	// controller-manager and scheduler serve /healthz with self-signed certificates.
	return &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // loopback health check only
	}}
}

func apiClient(inf *info) *http.Client {
	pool := x509.NewCertPool()
	if ca, err := os.ReadFile(inf.CAFile); err == nil {
		pool.AppendCertsFromPEM(ca)
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func getOK(client *http.Client, url, token string) error {
	_, err := call(client, http.MethodGet, url, token, nil)
	return err
}

func call(client *http.Client, method, url, token string, body any) ([]byte, error) {
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		reader = bytes.NewReader(data)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, reader)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		return data, fmt.Errorf("%s %s: %s: %s", method, url, res.Status, strings.TrimSpace(string(data)))
	}
	return data, nil
}

func createNode(client *http.Client, inf *info, name string) error {
	node := map[string]any{
		"apiVersion": "v1",
		"kind":       "Node",
		"metadata": map[string]any{
			"name":        name,
			"annotations": map[string]string{"node.alpha.kubernetes.io/ttl": "0", "kwok.x-k8s.io/node": "fake"},
			"labels": map[string]string{
				"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
				"type": "kwok",
			},
		},
		"status": map[string]any{
			"allocatable": map[string]string{"cpu": "32", "memory": "256Gi", "pods": "110"},
			"capacity":    map[string]string{"cpu": "32", "memory": "256Gi", "pods": "110"},
		},
	}
	_, err := call(client, http.MethodPost, inf.Server+"/api/v1/nodes", inf.AdminToken, node)
	return err
}

func nodesReady(client *http.Client, inf *info, want int) error {
	data, err := call(client, http.MethodGet, inf.Server+"/api/v1/nodes", inf.AdminToken, nil)
	if err != nil {
		return err
	}
	var list struct {
		Items []struct {
			Status struct {
				Conditions []struct{ Type, Status string } `json:"conditions"`
			} `json:"status"`
		} `json:"items"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		return err
	}
	ready := 0
	for _, n := range list.Items {
		for _, cond := range n.Status.Conditions {
			if cond.Type == "Ready" && cond.Status == "True" {
				ready++
			}
		}
	}
	if ready < want {
		return fmt.Errorf("%d of %d nodes Ready", ready, want)
	}
	return nil
}
