/**
 * One Toxiproxy proxy in front of a service (client → app, or app → database), driven only through
 * `toxiproxy-node-client`: add and remove toxics in either direction, take it down and bring it back.
 */
import type { Toxiproxy, Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';

export type ToxicKind = 'latency' | 'timeout' | 'reset_peer' | 'limit_data' | 'slicer' | 'bandwidth';
export type Stream = 'upstream' | 'downstream';

export interface ToxicSpec {
  kind: ToxicKind;
  /** `upstream` acts on client → server bytes (the request), `downstream` on the response. */
  stream: Stream;
  attributes: Record<string, number>;
  /** Share of connections affected. @default 1 */
  toxicity?: number;
}

export class ProxyControl {
  readonly name: string;
  /** `host:port` clients connect to. */
  readonly listen: string;
  readonly upstream: string;
  #proxy: ToxiproxyProxy;
  #toxics = new Set<string>();
  #serial = 0;

  private constructor(proxy: ToxiproxyProxy) {
    this.#proxy = proxy;
    this.name = proxy.name;
    this.listen = proxy.listen;
    this.upstream = proxy.upstream;
  }

  /** Creates (or replaces) the proxy; `listen` defaults to an OS-given loopback port. */
  static async create(
    toxiproxy: Toxiproxy,
    name: string,
    upstream: string,
    listen = '127.0.0.1:0',
  ): Promise<ProxyControl> {
    const existing = await toxiproxy.getAll();
    await existing[name]?.remove();
    return new ProxyControl(await toxiproxy.createProxy({ name, listen, upstream, enabled: true }));
  }

  get port(): number {
    return Number(this.listen.slice(this.listen.lastIndexOf(':') + 1));
  }

  async addToxic(spec: ToxicSpec): Promise<string> {
    const name = `${spec.kind}_${spec.stream}_${++this.#serial}`;
    await this.#proxy.addToxic({
      name,
      type: spec.kind,
      stream: spec.stream,
      toxicity: spec.toxicity ?? 1,
      attributes: spec.attributes,
    });
    this.#toxics.add(name);
    return name;
  }

  async removeToxic(name: string): Promise<void> {
    if (!this.#toxics.delete(name)) return;
    const toxic = await this.#proxy.getToxic(name).catch(() => undefined);
    await toxic?.remove();
  }

  /** Closes every connection and refuses new ones (Toxiproxy's "down"). */
  async disable(): Promise<void> {
    this.#proxy = await this.#proxy.update({ enabled: false, listen: this.listen, upstream: this.upstream });
  }

  async enable(): Promise<void> {
    this.#proxy = await this.#proxy.update({ enabled: true, listen: this.listen, upstream: this.upstream });
  }

  /** Removes every toxic this control added and brings the proxy up. */
  async heal(): Promise<void> {
    for (const name of [...this.#toxics]) await this.removeToxic(name);
    if (!this.#proxy.enabled) await this.enable();
  }

  async remove(): Promise<void> {
    await this.#proxy.remove();
  }
}
