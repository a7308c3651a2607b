import { type Cancel, type Clock, type Scheduler } from '../../../app/shared/kernel';

// Time that moves only when the test says so.
export class ManualTime implements Clock, Scheduler {
  private current = Date.parse('2026-11-25T10:00:00Z');
  private timers: { at: number; task: () => void; cancelled: boolean }[] = [];

  now(): Date {
    return new Date(this.current);
  }

  after(ms: number, task: () => void): Cancel {
    const timer = { at: this.current + ms, task, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  advance(ms: number): void {
    this.current += ms;
    const due = this.timers.filter((timer) => !timer.cancelled && timer.at <= this.current);
    this.timers = this.timers.filter((timer) => !due.includes(timer));
    for (const timer of due) timer.task();
  }
}
