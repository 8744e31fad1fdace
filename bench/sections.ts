/**
 * docs/benchmarks.md holds one report per bench: the overhead report owns the file, the
 * capacity and latency benches each own the text between their markers. Each writer keeps
 * the others' sections.
 */
export const SECTIONS = ['capacity', 'latency'] as const;
export type SectionName = (typeof SECTIONS)[number];

const markers = (name: SectionName): { start: string; end: string } => ({ start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` });

/** Replaces what lies between the markers, or appends both markers with the section. */
export function withSection(document: string, name: SectionName, section: string): string {
  const { start: START, end: END } = markers(name);
  const block = `${START}\n${section.trimEnd()}\n${END}`;
  const start = document.indexOf(START);
  const end = start < 0 ? -1 : document.indexOf(END, start);
  if (start < 0 || end < 0) return `${document}${document === '' || document.endsWith('\n') ? '' : '\n'}\n${block}\n`;
  return document.slice(0, start) + block + document.slice(end + END.length);
}

/** The section's current text (without markers), if the document has it. */
export function sectionOf(document: string, name: SectionName): string | undefined {
  const { start: START, end: END } = markers(name);
  const start = document.indexOf(START);
  const end = start < 0 ? -1 : document.indexOf(END, start);
  return start < 0 || end < 0 ? undefined : document.slice(start + START.length, end).trim();
}
