/**
 * Typed reads of an object's property bag, as a synchronization run stored it: dates as ISO-8601
 * strings, multi-valued properties as string arrays, known booleans as booleans. A value of
 * another shape reads as null; the raw bag stays available as `properties`.
 */
import type { ObjectRow } from '../domain/object-reads.ts';

export function stringProperty(row: ObjectRow, name: string): string | null {
  const value = row.properties[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

export function stringListProperty(row: ObjectRow, name: string): string[] | null {
  const value = row.properties[name];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') return [value];
  return null;
}

export function booleanProperty(row: ObjectRow, name: string): boolean | null {
  const value = row.properties[name];
  return typeof value === 'boolean' ? value : null;
}

export function dateProperty(row: ObjectRow, name: string): Date | null {
  const value = row.properties[name];
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
