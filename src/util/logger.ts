export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';
const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, fatal: 4 };

/** A small leveled logger writing logfmt-ish lines to stderr, like dockerd's text logs. */
export class Logger {
  constructor(private level: LogLevel = 'info', private readonly fields: Record<string, string> = {}) {}
  setLevel(level: LogLevel): void {
    this.level = level;
  }
  child(fields: Record<string, string>): Logger {
    const l = new Logger(this.level, { ...this.fields, ...fields });
    return l;
  }
  debug(msg: string, extra?: Record<string, unknown>): void { this.log('debug', msg, extra); }
  info(msg: string, extra?: Record<string, unknown>): void { this.log('info', msg, extra); }
  warn(msg: string, extra?: Record<string, unknown>): void { this.log('warn', msg, extra); }
  error(msg: string, extra?: Record<string, unknown>): void { this.log('error', msg, extra); }
  private log(level: LogLevel, msg: string, extra?: Record<string, unknown>): void {
    if (order[level] < order[this.level]) return;
    const parts = [`time="${new Date().toISOString()}"`, `level=${level}`, `msg=${JSON.stringify(msg)}`];
    for (const [k, v] of Object.entries({ ...this.fields, ...extra })) parts.push(`${k}=${JSON.stringify(v instanceof Error ? v.message : v)}`);
    process.stderr.write(parts.join(' ') + '\n');
  }
}

export function isLogLevel(s: string): s is LogLevel {
  return s in order;
}
