// Demo state in the URL query, so a link reproduces exactly what the sender saw.
export function readQuery(): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(window.location.search));
}

export function writeQuery(state: Record<string, string | number>): void {
  const query = new URLSearchParams(Object.entries(state).map(([k, v]) => [k, String(v)]));
  window.history.replaceState(window.history.state, '', `${window.location.pathname}?${query}`);
}
