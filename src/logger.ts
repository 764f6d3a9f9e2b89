/**
 * The one pino logger. Modules take a child with `logger.child({ module })`. Secrets are redacted by
 * path, so a header or setting that slips into a log line shows as [redacted].
 */
import { pino, type DestinationStream, type Logger, type LoggerOptions as LoggerSettings } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level: string;
  format: 'pretty' | 'json' | 'auto';
}

/** Creates the logger; `destination` replaces standard output (and pretty printing), e.g. a stream that tests read. */
export function createLogger(options: LoggerOptions, destination?: DestinationStream): Logger {
  const pretty = !destination && (options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true));
  const settings: LoggerSettings = {
    level: options.level,
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        'authorization',
        '*.authorization',
        'clientSecret',
        '*.clientSecret',
        'token',
        '*.token',
        'password',
        '*.password',
      ],
      censor: '[redacted]',
    },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  };
  return destination ? pino(settings, destination) : pino(settings);
}
