export interface AsyncQueueLimits<T> {
  /** Most items queued (default 256). */
  items?: number;
  /** Most total weight queued, e.g. bytes (default: no limit); one item is always let in. */
  maxWeight?: number;
  weigh?: (item: T) => number;
}

/**
 * A bounded async queue: producers `await push()`, which waits while the queue is full, so a slow
 * consumer slows every producer (and whatever they read from) instead of growing memory. One
 * consumer iterates until close(); stopping the iteration closes the queue.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private head = 0;
  private weight = 0;
  private consumer: ((r: IteratorResult<T>) => void) | undefined;
  private readonly producers: (() => void)[] = [];
  private closed = false;
  private readonly capacity: number;
  private readonly maxWeight: number;
  private readonly weigh: (item: T) => number;

  constructor(limits: AsyncQueueLimits<T> = {}) {
    this.capacity = limits.items ?? 256;
    this.maxWeight = limits.maxWeight ?? Number.POSITIVE_INFINITY;
    this.weigh = limits.weigh ?? (() => 0);
    if (!(this.capacity >= 1)) throw new RangeError('AsyncQueue capacity must be at least 1');
  }

  private get full(): boolean {
    return this.size >= this.capacity || (this.size > 0 && this.weight >= this.maxWeight);
  }

  /** Items waiting for the consumer. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** Producers waiting for room. */
  get waitingProducers(): number {
    return this.producers.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Queues the item, waiting while the queue is full; false (item dropped) once the queue is closed. */
  async push(item: T): Promise<boolean> {
    while (!this.closed && !this.consumer && this.full) {
      await new Promise<void>((resolve) => this.producers.push(resolve));
    }
    if (this.closed) return false;
    const consumer = this.consumer;
    if (consumer) {
      this.consumer = undefined;
      consumer({ value: item, done: false });
    } else {
      this.items.push(item);
      this.weight += this.weigh(item);
    }
    return true;
  }

  /** Ends the iteration after the queued items; waiting producers get `false`. */
  close(): void {
    this.closed = true;
    for (const wake of this.producers.splice(0)) wake();
    const consumer = this.consumer;
    this.consumer = undefined;
    consumer?.({ value: undefined, done: true });
  }

  private shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head] = undefined as T;
    this.head++;
    this.weight -= this.weigh(item);
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.producers.shift()?.();
    return item;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.size > 0) return Promise.resolve({ value: this.shift()!, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.consumer = resolve;
          // A producer may be waiting for room that is there now.
          this.producers.shift()?.();
        });
      },
      return: () => {
        this.close();
        this.items = [];
        this.head = 0;
        this.weight = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
