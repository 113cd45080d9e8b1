import { Injectable } from '@nestjs/common';
import type { Ask } from '../common/ask';
import type { RequestView } from '../events/domain-event';

/** A new request's unservable note as decided in its create: the note, and why (for the log). */
export interface UnservableDecision {
  note: string;
  reason: string;
}

/** What the unservable check offers a create (UnservableNotes implements it). */
export interface UnservableCheck {
  /**
   * Inside the create, before its row is written: the note of an ask no registered worker can
   * serve, null if one can, undefined if that cannot be told without reading the database.
   */
  decide(ask: Ask): UnservableDecision | null | undefined;
  /** After the create committed: logs a decided note, or checks an undecided one then. */
  created(request: RequestView, decided: UnservableDecision | null | undefined): void;
}

/**
 * The seam through which a create writes its unservable note in its own INSERT instead of a
 * transaction of its own after it (a burst of unservable creates used to cost one more write
 * per group commit). The create's module holds it and the check attaches to it, since the
 * check depends on requests.
 */
@Injectable()
export class NoteAtCreate {
  private check: UnservableCheck | null = null;

  attach(check: UnservableCheck | null): void {
    this.check = check;
  }

  decide(ask: Ask): UnservableDecision | null | undefined {
    return this.check?.decide(ask);
  }

  created(request: RequestView, decided: UnservableDecision | null | undefined): void {
    this.check?.created(request, decided);
  }
}
