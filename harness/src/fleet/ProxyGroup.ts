/**
 * Several Toxiproxy proxies driven as one: a fault the matrix puts "between the app and PostgreSQL"
 * goes on every instance's database proxy of a fleet at once.
 */
import type { ProxyControl, ToxicSpec } from '../toxiproxy/ProxyControl.ts';

export class ProxyGroup {
  readonly #proxies: readonly ProxyControl[];
  readonly #toxics = new Map<string, { proxy: ProxyControl; name: string }[]>();
  #serial = 0;

  constructor(proxies: readonly ProxyControl[]) {
    this.#proxies = proxies;
  }

  get members(): readonly ProxyControl[] {
    return this.#proxies;
  }

  async addToxic(spec: ToxicSpec): Promise<string> {
    const name = `group_${spec.kind}_${++this.#serial}`;
    const added = await Promise.all(
      this.#proxies.map(async (proxy) => ({ proxy, name: await proxy.addToxic(spec) })),
    );
    this.#toxics.set(name, added);
    return name;
  }

  async removeToxic(name: string): Promise<void> {
    const added = this.#toxics.get(name);
    this.#toxics.delete(name);
    await Promise.all((added ?? []).map(({ proxy, name: n }) => proxy.removeToxic(n)));
  }

  async disable(): Promise<void> {
    await Promise.all(this.#proxies.map((p) => p.disable()));
  }

  async enable(): Promise<void> {
    await Promise.all(this.#proxies.map((p) => p.enable()));
  }

  async heal(): Promise<void> {
    this.#toxics.clear();
    await Promise.all(this.#proxies.map((p) => p.heal()));
  }

  async remove(): Promise<void> {
    await Promise.all(this.#proxies.map((p) => p.remove().catch(() => {})));
  }
}
