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
  /** A (re)subscribe happened while a catch-up ran: it may have read the log too early. */
  private again = false;

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

  /** After every (re)subscribe. Returns where to start, or undefined when one runs (it will rerun). */
  beginCatchUp(): number | undefined {
    if (this.catchingUp) {
      this.again = true;
      return undefined;
    }
    this.catchingUp = true;
    return this.lastSeq;
  }

  /** A catch-up finished (its pages went through `receive`); a hole or a rerun request asks for another. */
  endCatchUp(): number | undefined {
    this.catchingUp = false;
    if (this.again) {
      this.again = false;
      this.catchingUp = true;
      return this.lastSeq;
    }
    return this.requestCatchUpIfHole();
  }

  private requestCatchUpIfHole(): number | undefined {
    if (this.catchingUp || this.waiting.size === 0) return undefined;
    this.catchingUp = true;
    return this.lastSeq;
  }
}
