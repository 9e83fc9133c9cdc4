// The static site's kernel start, step by step as the Pyodide kernel's worker does it, in
// Node on the site's own runtime and lock: the CPU of each step, with none of the page's
// other work and less of the machine's load than a browser run (bench/README.md, "The first
// widget sooner").
//
//     node bench/site_kernel_cpu.mjs SITE [--with-terminal | --snapshot] [--runs N]
//
// SITE is a folder `repairlab build-site` wrote. --with-terminal undoes the piplite
// placeholder's stand-in for IPython's terminal, to measure what the stand-in saves.
// --snapshot measures a later page's start as the site's pyodide.js does it: one process
// starts the kernel and makes a memory snapshot (as a browser's first page keeps one), then
// each run restores it in a fresh process, loads the packages' files and imports
// pyodide_kernel (already imported: nothing left to do). The snapshot is made here the way
// widgets/repairlab/serving/site_kernel_start.js makes it (read that file for why).
// Prints the median and range of each step's CPU seconds (user + system) over the runs, each
// run in a fresh Node process.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const site = args[0];
const withTerminal = args.includes("--with-terminal");
const runs = Number(args[args.indexOf("--runs") + 1] || 3) || 3;
const fromSnapshot = args.includes("--snapshot");
const snapshotFile = `${tmpdir()}/site_kernel_cpu-${process.pid}.snapshot`;

if (process.env.SITE_KERNEL_CPU_CHILD) {
  const config = JSON.parse(readFileSync(`${site}/jupyter-lite.json`, "utf8"));
  const settings = config["jupyter-config-data"].litePluginSettings[
    "@jupyterlite/pyodide-kernel-extension:kernel"];
  const { loadPyodide } = await import(pathToFileURL(`${site}/static/pyodide/pyodide.mjs`));
  const steps = {};
  let cpu = process.cpuUsage();
  const mark = (name) => {
    const used = process.cpuUsage(cpu);
    steps[name] = (used.user + used.system) / 1e6;
    cpu = process.cpuUsage();
  };
  const options = { indexURL: `${site}/static/pyodide/`,
    packages: settings.loadPyodideOptions.packages, stdout: () => {}, stderr: () => {} };
  const making = process.env.SITE_KERNEL_CPU_CHILD === "make";
  const snapshotPath = process.env.SITE_KERNEL_CPU_SNAPSHOT;
  const current = { py: null };
  if (making) options._makeSnapshot = true;
  else if (snapshotPath) {
    options._loadSnapshot = readFileSync(snapshotPath);
    options._snapshotDeserializer = (name) => name === "pyodide"
      ? new Proxy({}, { get: (_, key) => current.py[key] })
      : (...a) => current.py[name.slice("pyodide.".length)](...a);
  }
  const py = current.py = await loadPyodide(options);
  mark(snapshotPath && !making ? "snapshot restored and packages' files"
    : "runtime and preloaded packages");
  await py.runPythonAsync("import piplite.piplite");
  if (withTerminal) await py.runPythonAsync(
    "import sys; sys.modules.pop('IPython.terminal.embed', None)");
  mark("import piplite");
  await py.runPythonAsync("import pyodide_kernel");
  mark("import pyodide_kernel (IPython)");
  if (making) {
    const loaded = { ...py.loadedPackages };
    for (const name of Object.keys(loaded)) delete py.loadedPackages[name];
    const names = Object.getOwnPropertyNames(py);
    writeFileSync(snapshotPath, py.makeMemorySnapshot({ serializer: (object) => object === py
      ? "pyodide" : "pyodide." + names.find((name) => py[name] === object) }));
    Object.assign(py.loadedPackages, loaded);
  }
  console.log(JSON.stringify(steps));
} else {
  const results = [];
  const env = { ...process.env, SITE_KERNEL_CPU_CHILD: "1" };
  if (fromSnapshot) {
    env.SITE_KERNEL_CPU_SNAPSHOT = snapshotFile;
    execFileSync(process.execPath, [process.argv[1], ...args],
      { env: { ...env, SITE_KERNEL_CPU_CHILD: "make" }, encoding: "utf8" });
  }
  for (let run = 0; run < runs; run++) {
    const out = execFileSync(process.execPath, [process.argv[1], ...args],
      { env, encoding: "utf8" });
    results.push(JSON.parse(out.trim().split("\n").pop()));
  }
  if (fromSnapshot) rmSync(snapshotFile);
  const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  console.log(`${site}${withTerminal ? " --with-terminal" : ""}${fromSnapshot ? " --snapshot" : ""}, ` +
    `${runs} runs, CPU seconds`);
  for (const step of Object.keys(results[0])) {
    const values = results.map((r) => r[step]);
    console.log(`  ${step}: ${median(values).toFixed(2)} ` +
      `(${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)})`);
  }
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  console.log(`load average ${load}`);
}
