import { describe, expect, it } from 'vitest';
import { machineCpu, runProcesses, vmHwmMB } from '../../bench/support.ts';

const linux = vmHwmMB('self') !== null;

describe('runProcesses', () => {
  it('runs the processes side by side and reports each exit code, output and peak RSS', async () => {
    // Process i holds i × 150 MB touched for 2 s, prints its index and exits with code i.
    const script = `const i = Number(process.argv[1]); const b = Buffer.alloc(i * 150 * 1048576, 1);
      setTimeout(() => { process.stdout.write(String(i + b.length * 0)); process.exit(i); }, 2000);`;
    const run = await runProcesses({ count: 2, command: process.execPath, args: (i) => ['-e', script, String(i)] });
    expect(run.processes.map((p) => [p.exitCode, p.stdout])).toEqual([[0, '0'], [1, '1']]);
    // Side by side: one after the other would take at least 4 s.
    expect(run.seconds).toBeGreaterThanOrEqual(2);
    expect(run.seconds).toBeLessThan(3.9);
    if (linux) {
      const [small, big] = run.processes.map((p) => p.peakRssMB ?? 0) as [number, number];
      expect(big).toBeGreaterThanOrEqual(150);
      expect(big - small).toBeGreaterThanOrEqual(140);
    }
  });

  it.runIf(linux)('reports the CPU seconds each process used, and the machine counts them as busy', async () => {
    // Spins until it has used 1 s of CPU (however long that takes on a busy machine).
    const before = machineCpu()!;
    const run = await runProcesses({ count: 1, command: process.execPath, args: ['-e', 'for (let u = process.cpuUsage(); u.user + u.system < 1e6; u = process.cpuUsage());'] });
    const after = machineCpu()!;
    expect(run.processes[0]!.cpuSeconds).toBeGreaterThanOrEqual(0.8);
    expect(run.processes[0]!.cpuSeconds).toBeLessThan(1.5);
    expect(after.busy - before.busy).toBeGreaterThanOrEqual(0.9);
  });

  it('kills what still runs after the time limit and rejects', async () => {
    const started = performance.now();
    await expect(runProcesses({ count: 1, command: process.execPath, args: ['-e', 'setTimeout(() => {}, 20000)'], timeoutMs: 500 })).rejects.toThrow(/still running after 500 ms/);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
