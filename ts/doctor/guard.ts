// The guard: the first time the kernel reports "hw csum failure" for a watched interface, turn
// rx-checksum off live, persist it, and say so in one line. Once per interface; the state is a
// set of names that exist as links (never names taken from the log alone), so memory stays flat.
import { EventEmitter } from 'events';
import { getFeatures, listLinks, LinkInfo, setFeatures } from '../core';
import type { SetResult } from '../core';
import type { BackendName, PersistResult } from '../persist';
import { validateIfname } from '../validate';
import type { CsumFailure } from './parse';
import { defaultPersistence, PersistenceApi, RX_OFF } from './persistence';
import { devicesFor, nameForIfindex, RxState } from './report';
import { KernelLogWatcher, LiveFailure, WatchOptions } from './watch';

/** Interfaces the guard remembers having handled; more than any real system has. */
const MAX_HANDLED = 4096;
/** Distinct "ignored" notices logged; after that, ignored failures are only counted. */
const MAX_NOTICES = 64;

export interface GuardOptions extends WatchOptions {
  /** Interfaces to protect (a bridge or bond name covers its ports). Default: every interface. */
  interfaces?: string[];
  /** Say what would be done, change nothing. */
  dryRun?: boolean;
  netns?: string;
  /** Root prefix for persistence (default '/'). */
  root?: string;
  backend?: BackendName | 'auto';
  /** Tests: persistence and link listing stand-ins. */
  persistence?: PersistenceApi;
  links?: () => LinkInfo[];
}

export interface GuardAction {
  /** The device whose rx-checksum was turned off. */
  ifname: string;
  /** The name in the kernel's message (a bridge, "<unknown>", or the device itself). */
  reportedAs: string;
  failure: CsumFailure;
  dryRun: boolean;
  rxBefore: RxState;
  applied?: SetResult;
  persisted?: PersistResult;
  error?: { message: string; code?: string };
  /** The one line the guard logs. */
  message: string;
}

export interface GuardNotice {
  failure: CsumFailure;
  reason: 'not-watched' | 'not-present' | 'unresolved' | 'no-rx-checksum' | 'fixed';
  message: string;
}

function where(ev: CsumFailure): string {
  const at: string[] = [];
  if (ev.seq !== undefined) at.push(`kmsg seq ${ev.seq}`);
  if (ev.uptime !== undefined) at.push(`${ev.uptime.toFixed(6)} s after boot`);
  return at.length ? ` (${at.join(', ')})` : '';
}

/**
 * Emits 'action' (GuardAction) for each device it handled, 'notice' (GuardNotice) for a failure
 * it did not act on (at most MAX_NOTICES distinct ones), 'failure' for every failure seen,
 * 'error' and 'close'. `idle()` resolves when every started action has finished.
 */
export class Guard extends EventEmitter {
  readonly watcher: KernelLogWatcher;
  private readonly handledSet = new Set<string>();
  private readonly noticed = new Set<string>();
  private readonly watched: ReadonlySet<string> | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** Failures not acted on after the notice limit was reached. */
  suppressedNotices = 0;

  constructor(private readonly opts: GuardOptions = {}) {
    super();
    if (opts.interfaces !== undefined) {
      if (!Array.isArray(opts.interfaces)) throw new TypeError('options.interfaces must be an array of interface names');
      for (const name of opts.interfaces) validateIfname(name);
      if (opts.interfaces.length) this.watched = new Set(opts.interfaces);
    }
    this.watcher = new KernelLogWatcher(opts);
    this.watcher.on('failure', (ev: LiveFailure) => this.onFailure(ev));
    this.watcher.on('error', (e: unknown) => this.emit('error', e));
    this.watcher.on('close', () => this.emit('close'));
  }

  /** Opens the log (throws on failure) and starts watching. */
  start(): this {
    this.watcher.start();
    return this;
  }

  close(): void {
    this.watcher.close();
  }

  /** Interfaces already handled (acted on, or tried to). */
  get handled(): ReadonlySet<string> {
    return this.handledSet;
  }

  /** Resolves when the actions started so far have finished. */
  idle(): Promise<void> {
    return this.queue;
  }

  private links(): LinkInfo[] {
    return this.opts.links ? this.opts.links() : listLinks({ netns: this.opts.netns });
  }

  /** Watched by name, or as a port (at any depth) of a watched bridge or bond. */
  private isWatched(link: LinkInfo, links: readonly LinkInfo[]): boolean {
    const seen = new Set<number>();
    for (let l: LinkInfo | undefined = link; l && !seen.has(l.index); l = links.find((m) => m.index === l!.master)) {
      if (this.watched!.has(l.name)) return true;
      seen.add(l.index);
      if (!l.master) break;
    }
    return false;
  }

  private notice(failure: CsumFailure, reason: GuardNotice['reason'], message: string): void {
    const key = `${reason}:${failure.ifname ?? failure.printedName}`;
    if (!this.noticed.has(key)) {
      if (this.noticed.size >= MAX_NOTICES) {
        this.suppressedNotices++;
        return;
      }
      this.noticed.add(key);
      this.emit('notice', { failure, reason, message } satisfies GuardNotice);
    }
  }

  private onFailure(ev: LiveFailure): void {
    this.emit('failure', ev);
    let links: LinkInfo[];
    try {
      links = this.links();
    } catch (e) {
      this.emit('error', e);
      return;
    }
    const name = ev.ifname ?? nameForIfindex(ev.iif, links);
    if (!name) {
      this.notice(ev, 'unresolved', `"${ev.printedName}: hw csum failure"${where(ev)}: the kernel did not name the device; nothing changed`);
      return;
    }
    const { link, targets } = devicesFor(name, links);
    if (!link) {
      this.notice(ev, 'not-present', `${name}: "hw csum failure"${where(ev)}, but there is no such interface here now; nothing changed`);
      return;
    }
    const chosen = this.watched && !this.watched.has(name) ? targets.filter((t) => this.isWatched(t, links)) : targets;
    if (!chosen.length) {
      const why = targets.length ? 'not watched' : `a ${link.kind} with no device below it here`;
      this.notice(ev, 'not-watched', `${name}: "hw csum failure"${where(ev)} (${why}); nothing changed`);
      return;
    }
    for (const t of chosen) {
      if (this.handledSet.has(t.name) || this.handledSet.size >= MAX_HANDLED) continue;
      this.handledSet.add(t.name);
      // A throwing 'action' listener must not stall the queue for every later interface.
      this.queue = this.queue.then(() => this.act(t.name, name, link, ev)).catch((e: unknown) => void this.emit('error', e));
    }
  }

  private async act(ifname: string, reportedAs: string, upper: LinkInfo, ev: LiveFailure): Promise<void> {
    const { netns, dryRun = false } = this.opts;
    let rxBefore: RxState;
    let fixed = false;
    try {
      const f = getFeatures(ifname, { netns })['rx-checksum'];
      rxBefore = f ? (f.active ? 'on' : 'off') : 'absent';
      fixed = f ? f.fixed : true;
    } catch {
      rxBefore = 'unknown';
    }
    const via = reportedAs === ifname ? '' : ` on ${reportedAs}${upper.name === reportedAs && upper.kind ? ` (a ${upper.kind} over ${ifname})` : ''}`;
    const head = `${ifname}: kernel reported "hw csum failure"${via}${where(ev)}`;
    if (rxBefore === 'absent' || fixed) {
      let what = 'the device has no rx-checksum feature';
      if (rxBefore === 'on') what = 'rx-checksum is fixed on for this device (it cannot be changed)';
      else if (rxBefore !== 'absent') what = `rx-checksum is ${rxBefore} and cannot be changed`;
      this.notice(ev, rxBefore === 'absent' ? 'no-rx-checksum' : 'fixed', `${head}; ${what}; nothing changed`);
      return;
    }
    const action: GuardAction = { ifname, reportedAs, failure: ev, dryRun, rxBefore, message: '' };
    const steps: string[] = [];
    try {
      if (rxBefore !== 'off') {
        action.applied = await setFeatures(ifname, RX_OFF, { netns, dryRun });
        steps.push(dryRun ? 'would turn rx-checksum off' : 'turned rx-checksum off');
      } else {
        steps.push('rx-checksum was already off');
      }
      const persistence = this.opts.persistence ?? defaultPersistence();
      action.persisted = await persistence.persist(ifname, RX_OFF, { netns, root: this.opts.root, backend: this.opts.backend, apply: false, dryRun });
      const files = action.persisted.files.filter((f) => f.action !== 'unchanged').map((f) => f.path);
      const verb = dryRun ? 'would persist it' : action.persisted.changed ? 'persisted it' : 'it was already persisted';
      steps.push(`${verb} with ${action.persisted.backend}${files.length ? ` (${files.join(', ')})` : ''}`);
    } catch (e) {
      const err = e as { message?: string; code?: string };
      action.error = { message: err?.message ?? String(e), code: err?.code };
      steps.push(`failed: ${action.error.message}`);
    }
    action.message = `${head}; ${steps.join('; ')}`;
    this.emit('action', action);
  }
}

/** Starts a guard on the live kernel log. */
export function startGuard(opts: GuardOptions = {}): Guard {
  return new Guard(opts).start();
}
