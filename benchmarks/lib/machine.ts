import { cpus, loadavg, totalmem } from 'node:os';

/** The machine a run measured on, and how busy the shared machine was around the run. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryMb: number;
  readonly node: string;
  readonly platform: string;
  /** 1/5/15-minute load averages. */
  readonly loadAverageAtStart: readonly number[];
  readonly loadAverageAtEnd: readonly number[];
}

/** The 1/5/15-minute load averages, rounded to two decimals. */
export function loadAverages(): number[] {
  return loadavg().map((load) => Math.round(load * 100) / 100);
}

/** Describes this machine at the end of a run that started with the given load averages. */
export function describeMachine(loadAverageAtStart: readonly number[]): MachineInfo {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryMb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart,
    loadAverageAtEnd: loadAverages(),
  };
}
