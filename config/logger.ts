/** JSON-lines logger. Callers pass only what is safe to keep: never credentials or request bodies. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = Record<LogLevel, (message: string, fields?: Record<string, unknown>) => void>;

const order: LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function createLogger(level: LogLevel, component: string, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const make = (at: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    if (order.indexOf(at) < order.indexOf(level)) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: at, component, message, ...fields }));
  };
  return { debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error') };
}
