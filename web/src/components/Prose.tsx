/** Text with `backticked` parts shown as code (set-up texts are written that way). Text nodes only. */
export function Prose({ text }: { text: string }) {
  return <>{text.split("`").map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part))}</>;
}
