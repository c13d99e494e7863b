import type { CheckResult } from '../core/check/result.ts';
import type { Config, DataConfig, ReadConfig } from '../core/spec/config.ts';
import type { ValidationConfig } from '../core/spec/config-validation.ts';
import { describeTable } from '../data/checks/index.ts';
import type { Db } from '../data/db.ts';
import { ingestFile, type IngestInput, type IngestResult } from '../data/ingest.ts';
import { proposeMapping, type MappingConfig, type MappingProposal } from '../data/mapping.ts';
import { checkStage, cleanStage, mappingBlock, PIPELINE_TABLES as T, shapeStage, type CleanStageResult, type ShapeResult } from '../data/pipeline-stages.ts';
import { profileTable } from '../data/profile.ts';

/*
 * The one owner of the DuckDB database of the app's data flow: the state calls these methods and
 * never sees a Db. Each method is one stage of src/data/pipeline-stages.ts (the headless runner
 * composes the same stages in src/data/pipeline.ts). The browser opens DuckDB-WASM in a worker
 * (createBrowserDataClient); node tests and scripts pass openNodeDb.
 */

/** A loaded table: what ingest read and the proposed mapping. */
export interface LoadedTable {
  ingest: IngestResult;
  proposal: MappingProposal;
}

/** The shaped tables of one mapping and the checks' raw results on them (before overrides). */
export interface CheckedTables {
  /** Handle for `clean`: the tables the checks ran on (valid until the next load or check). */
  shape: ShapeResult;
  mapping: MappingConfig;
  /** `before`, grain findings, the data checks, data.non_finite; overrides not applied. */
  raw: CheckResult[];
}

/** Options of DataClient.check that are not config. */
export interface CheckRunOptions {
  /** Reference date for the freshness check, ISO YYYY-MM-DD. */
  now?: string;
  /** Findings of earlier stages (ingest), listed first. */
  before?: readonly CheckResult[];
  /** Mapping problems the detector reported (no date, no KPI...), for the mapping gate. */
  problems?: readonly string[];
  /** The file's name, for messages. */
  file?: string;
  /** Called with what is happening, in words. */
  onStatus?: (status: string) => void;
}

/** The data stages behind one database; methods reject only on engine failures, never for bad data (that comes back as results). */
export class DataClient {
  #open: () => Promise<Db>;
  #db: Promise<Db> | null = null;

  /** @param open opens the database the first time a stage needs it (openBrowserDb, openNodeDb) */
  constructor(open: () => Promise<Db>) {
    this.#open = open;
  }

  /** Starts the database now (it otherwise starts on first use); a failed start is retried by the next call. */
  ready(): Promise<Db> {
    let p = this.#db;
    if (!p) {
      p = this.#open().catch((e: unknown) => {
        this.#db = null;
        throw e;
      });
      this.#db = p;
    }
    return p;
  }

  /**
   * Stage 1: reads the file into the raw table, profiles it and proposes a mapping.
   * @throws IngestError (isIngestError) when the file cannot be read, naming file/row and the fix
   */
  async load(file: IngestInput, read: Partial<ReadConfig> = {}, onStatus?: (status: string) => void): Promise<LoadedTable> {
    const db = await this.ready();
    onStatus?.(`Reading ${file.name} with DuckDB...`);
    const ingest = await ingestFile(db, file, { read, table: T.raw, previewRows: 20 });
    onStatus?.('Profiling columns...');
    const proposal = proposeMapping(await profileTable(db, ingest.table));
    return { ingest, proposal };
  }

  /**
   * Stage 2 on the loaded raw table: the mapping gate, then filters and the weekly grain
   * (shapeStage) and every data check (checkStage).
   * @returns the raw results, and the checked tables for `clean` (null when the mapping gate blocked)
   */
  async check(mapping: MappingConfig, data: Pick<DataConfig, 'filters' | 'grain'>, validation: ValidationConfig, opts: CheckRunOptions = {}): Promise<{ raw: CheckResult[]; checked: CheckedTables | null }> {
    const db = await this.ready();
    const before = opts.before ?? [];
    const columns = (await describeTable(db, T.raw)).map((c) => c.name);
    const gate = mappingBlock(mapping, [...(opts.problems ?? [])], opts.file ?? '', columns);
    if (gate) return { raw: [...before, gate], checked: null };
    opts.onStatus?.('Applying filters and weekly grain...');
    const shape = await shapeStage(db, T.raw, mapping, data);
    opts.onStatus?.('Running the data checks...');
    const checked = await checkStage(db, shape, mapping, validation, { now: opts.now, before });
    return { raw: checked.raw, checked: { shape, mapping, raw: checked.raw } };
  }

  /**
   * Stage 3 on checked tables: cleaning, the grain level and the model's Dataset. Call it only
   * when the checks (after overrides) do not block.
   * @param target 'national' (the app's reference model) or 'grain'
   * @param panel also build the geo panel when the grain keeps a key (CleanStageResult.panel)
   */
  async clean(checked: CheckedTables, config: Pick<Config, 'cleaning' | 'data'>, target: 'national' | 'grain' = 'national', panel = false): Promise<CleanStageResult> {
    return cleanStage(await this.ready(), checked.shape, checked.mapping, config, { target, panel });
  }

  /**
   * Stage 3's raw variant on the same checked tables: the national Dataset with no cleaning rule
   * applied (the file's own values, in separate tables; the cleaned ones stay), to fit beside the
   * cleaned one. Its `result` blocks when the file's own values cannot be fitted (gaps, duplicate weeks).
   */
  async cleanRaw(checked: CheckedTables, config: Pick<Config, 'cleaning' | 'data' | 'validation'>): Promise<CleanStageResult> {
    return cleanStage(await this.ready(), checked.shape, checked.mapping, config, { target: 'national', variant: 'raw' });
  }

  /** Closes the database (node scripts and tests; the browser keeps it for the tab's life). */
  async close(): Promise<void> {
    const p = this.#db;
    this.#db = null;
    if (p) await (await p).close();
  }
}

/** The app's client: DuckDB-WASM in a worker of this tab, started on first use (imported lazily, so node code never loads it). */
export function browserDataClient(): DataClient {
  return new DataClient(() => import('../data/duckdb.ts').then((m) => m.openBrowserDb()));
}
