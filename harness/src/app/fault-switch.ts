/**
 * The server-side Nemesis switch inside the reference app: while a fault is set, each write gets it
 * with probability `rate`. Keyed writes get it through @landed/server's own fault hook (the
 * `Landed-Fault` request header, honoured only when hooks are enabled); unkeyed writes from the naive
 * client get the same fault from the app's plain route, so both clients meet identical failures.
 */
import { type FaultKind, parseFault } from '@landed/server';

export interface FaultSetting {
  kind: FaultKind;
  rate: number;
}

export class FaultSwitch {
  #setting: FaultSetting | undefined;
  readonly #random: () => number;

  constructor(initial: FaultSetting | undefined, random: () => number = Math.random) {
    this.#setting = initial;
    this.#random = random;
  }

  set(setting: FaultSetting | undefined): void {
    this.#setting = setting;
  }

  get current(): FaultSetting | undefined {
    return this.#setting;
  }

  /** The fault this request gets, if any. */
  draw(): FaultKind | undefined {
    const s = this.#setting;
    return s && this.#random() < s.rate ? s.kind : undefined;
  }
}

/** `kind@rate`, e.g. `500-after-commit@0.3` (how a restarted app learns the fault still in force). */
export function parseFaultSetting(text: string | undefined): FaultSetting | undefined {
  if (!text) return undefined;
  const at = text.lastIndexOf('@');
  const kind = parseFault(at === -1 ? text : text.slice(0, at));
  const rate = at === -1 ? 1 : Number(text.slice(at + 1));
  if (!kind || !(rate >= 0 && rate <= 1)) return undefined;
  return { kind, rate };
}

export function formatFaultSetting(setting: FaultSetting): string {
  return `${setting.kind}@${setting.rate}`;
}
