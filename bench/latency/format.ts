/** Number formats shared by the report and its interpretation. */
export const pct = (v: number): string => (Number.isNaN(v) ? '–' : `${(v * 100).toFixed(1)} %`);
export const seconds = (v: number | undefined): string => (v === undefined ? 'not within the phase' : `${(v / 1000).toFixed(1)} s`);
export const ms = (v: number): string => (Number.isNaN(v) ? '–' : v.toFixed(1));
