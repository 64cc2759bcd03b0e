// Timestamps as each API writes them.

/** Cog's Python server: ISO 8601 with microseconds and `+00:00`. */
export function cogTime(d: Date | null): string | null {
  if (!d) return null;
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

/** Replicate's API: ISO 8601 with `Z`. */
export function v1Time(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}
