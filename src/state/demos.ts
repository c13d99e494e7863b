/** A demo dataset listed in public/demo/index.json. */
export interface DemoEntry {
  /** The file name without extension; used in test ids (`demo-robyn_simulated_weekly`). */
  id: string;
  file: string;
  label: string;
  description?: string;
}

/** Lists the demos of public/demo/index.json that are model inputs (label from its title). */
export async function fetchDemos(): Promise<DemoEntry[]> {
  const res = await fetch('./demo/index.json');
  if (!res.ok) throw new Error(`demo/index.json: HTTP ${res.status}`);
  const j = (await res.json()) as { datasets: { file: string; title: string; grain: string; rows: number; model: boolean }[] };
  return j.datasets
    .filter((d) => d.model)
    .map((d) => ({ id: d.file.replace(/\.[^.]+$/, ''), file: d.file, label: d.title, description: `${d.rows} rows, ${d.grain}` }));
}
