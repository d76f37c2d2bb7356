// Delivery order for one band's change log: every seq exactly once, in order. Live events and
// catch-up pages both go through `receive`; duplicates are dropped, early arrivals wait in a
// buffer, and a hole asks for a catch-up from the last delivered seq.

export interface Sequenced {
  seq: number;
}

export interface ReceiveResult<E extends Sequenced> {
  /** Ready to hand to tabs, in seq order. */
  deliver: E[];
  duplicates: number;
  /** Set when a hole was seen and no catch-up is running: fetch `seq > catchUpFrom`. */
  catchUpFrom: number | undefined;
}

export class BandSequence<E extends Sequenced> {
  private readonly waiting = new Map<number, E>();
  private catchingUp = false;

  /** `lastSeq` is the last seq the tabs already have (the log's head when the band was first watched). */
  constructor(private lastSeq: number) {}

  get last(): number {
    return this.lastSeq;
  }

  get buffered(): number {
    return this.waiting.size;
  }

  receive(events: readonly E[]): ReceiveResult<E> {
    let duplicates = 0;
    for (const event of events) {
      if (event.seq <= this.lastSeq || this.waiting.has(event.seq)) duplicates++;
      else this.waiting.set(event.seq, event);
    }
    const deliver: E[] = [];
    for (let next = this.waiting.get(this.lastSeq + 1); next; next = this.waiting.get(this.lastSeq + 1)) {
      this.waiting.delete(next.seq);
      deliver.push(next);
      this.lastSeq = next.seq;
    }
    return { deliver, duplicates, catchUpFrom: this.requestCatchUpIfHole() };
  }

  /** Call when a catch-up started elsewhere (after every (re)subscribe). */
  beginCatchUp(): number | undefined {
    if (this.catchingUp) return undefined;
    this.catchingUp = true;
    return this.lastSeq;
  }

  /**
   * A catch-up finished (its pages already went through `receive`). `complete` is false when it
   * stopped at a page limit; either way a remaining hole asks for another.
   */
  endCatchUp(): number | undefined {
    this.catchingUp = false;
    return this.requestCatchUpIfHole();
  }

  private requestCatchUpIfHole(): number | undefined {
    if (this.catchingUp || this.waiting.size === 0) return undefined;
    this.catchingUp = true;
    return this.lastSeq;
  }
}
