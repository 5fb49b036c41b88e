/**
 * Turns the small Markdown the kind-specific studies write (headings, paragraphs, pipe tables,
 * images) into a standalone HTML page.
 */
export function markdownToHtml(markdown: string, title: string): string {
  const escapeHtml = (text: string) =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const out: string[] = [];
  let inTable = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('|')) {
      if (/^\|\s*-/.test(line)) continue;
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((cell) => escapeHtml(cell.trim()));
      out.push(
        `${inTable ? '' : '<table>'}<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`,
      );
      inTable = true;
      continue;
    }
    if (inTable) out.push('</table>');
    inTable = false;
    const image = /^!\[(.*)\]\((.*)\)$/.exec(line);
    if (image)
      out.push(
        `<p><img alt="${escapeHtml(image[1] as string)}" src="${escapeHtml(image[2] as string)}"></p>`,
      );
    else if (line.startsWith('## ')) out.push(`<h2>${escapeHtml(line.slice(3))}</h2>`);
    else if (line.startsWith('# ')) out.push(`<h1>${escapeHtml(line.slice(2))}</h1>`);
    else if (line.trim() !== '') out.push(`<p>${escapeHtml(line)}</p>`);
  }
  if (inTable) out.push('</table>');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>body{font-family:sans-serif;max-width:72rem;margin:2rem auto}td{border:1px solid #ccc;padding:2px 6px}table{border-collapse:collapse}img{max-width:100%}</style></head><body>\n${out.join('\n')}\n</body></html>\n`;
}
