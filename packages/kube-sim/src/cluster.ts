import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';

const run = promisify(execFile);

/** What `kube-sim up` writes to `<state dir>/<name>/cluster.json`. */
export type KubeSimCluster = {
  name: string;
  server: string;
  caFile: string;
  kubeconfig: string;
  adminToken: string;
  nobodyToken: string;
  ports: Record<string, number>;
  pids: Record<string, number>;
  nodes: string[];
  stateDir: string;
};

export type KubeSimOptions = {
  name: string;
  /** Folder for the cluster's data; default `<repo>/.kube-sim`. */
  stateDir?: string;
  /** API server port; 0 (the default here) picks free ports. */
  port?: number;
  nodes?: number;
};

/** The repository root: the folder holding `tools/kube-sim`, above the working directory. */
export function repoRoot(): string {
  let dir = process.cwd();
  while (!existsSync(resolve(dir, 'tools/kube-sim/build.sh'))) {
    const parent = resolve(dir, '..');
    if (parent === dir) {
      throw new Error(
        `Cannot find tools/kube-sim above ${process.cwd()}; run from the portal repository`,
      );
    }
    dir = parent;
  }
  return dir;
}

/** The kube-sim launcher built by `tools/kube-sim/build.sh`. */
export function launcherPath(): string {
  const path =
    process.env.KUBE_SIM_BIN ??
    resolve(repoRoot(), '.tools/kube-sim/bin/kube-sim');
  if (!existsSync(path)) {
    throw new Error(
      `The local Kubernetes control plane is not built (${path} is missing). ` +
        `Build it with 'tools/kube-sim/build.sh' (or run './portal test', which builds it first).`,
    );
  }
  return path;
}

async function launcher(
  args: string[],
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(launcherPath(), args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as Error & { stderr?: string; stdout?: string };
    throw new Error(
      `kube-sim ${args[0]} failed: ${(
        e.stderr ||
        e.stdout ||
        e.message
      ).trim()}`,
    );
  }
}

function stateDirOf(options: { stateDir?: string }) {
  return options.stateDir ?? resolve(repoRoot(), '.kube-sim');
}

/** Reads a running cluster's description. */
export function readCluster(name: string, stateDir?: string): KubeSimCluster {
  const dir = stateDirOf({ stateDir });
  const file = resolve(dir, name, 'cluster.json');
  if (!existsSync(file)) {
    throw new Error(
      `No kube-sim cluster '${name}' in ${dir}: start it with 'kube-sim up --name ${name}'`,
    );
  }
  return { ...JSON.parse(readFileSync(file, 'utf8')), stateDir: dir };
}

/** Starts a cluster (idempotent) and waits until its nodes are Ready. */
export async function startCluster(
  options: KubeSimOptions,
): Promise<KubeSimCluster> {
  const stateDir = stateDirOf(options);
  await launcher([
    'up',
    `--name=${options.name}`,
    `--port=${options.port ?? 0}`,
    `--nodes=${options.nodes ?? 2}`,
    `--state-dir=${stateDir}`,
  ]);
  return readCluster(options.name, stateDir);
}

/** Stops a cluster's processes and removes its data. */
export async function stopCluster(options: {
  name: string;
  stateDir?: string;
}): Promise<void> {
  await launcher([
    'down',
    `--name=${options.name}`,
    `--state-dir=${stateDirOf(options)}`,
  ]);
}

/** A client configuration for the cluster acting with `token` (default: admin). */
export function kubeConfigFor(
  cluster: KubeSimCluster,
  token: string = cluster.adminToken,
): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: cluster.name, server: cluster.server, caFile: cluster.caFile },
    ],
    users: [{ name: 'user', token }],
    contexts: [{ name: 'ctx', cluster: cluster.name, user: 'user' }],
    currentContext: 'ctx',
  });
  return kc;
}
