export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface Cancel {
  (): void;
}

// Timers behind a port, so unit tests can drive ring timeouts without waiting.
export interface Scheduler {
  after(ms: number, task: () => void): Cancel;
}

export const systemScheduler: Scheduler = {
  after(ms, task) {
    const timer = setTimeout(task, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
