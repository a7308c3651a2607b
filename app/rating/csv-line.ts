// Splits one CSV line (RFC 4180 quoting: "a, b" and "" for a quote inside quotes) into fields.
// undefined when a quote is left open: a rate row never spans lines.
export function splitCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === ',') {
      fields.push(field.trim());
      field = '';
    } else {
      field += ch;
    }
    i += 1;
  }
  if (quoted) return undefined;
  fields.push(field.trim());
  return fields;
}
