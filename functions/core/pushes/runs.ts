/** Push runs as planners record them: the idempotent run, its planned shape and what the store returns. */

export interface PlannedRun {
  key: string;
  created: boolean;
  status: 'running' | 'skipped' | 'aborted';
  reason: string | null;
  segments: number;
}

/** A run as a planner records it; the store adds progress, counts and consumption. */
export interface NewRun<Kind extends string, Category extends string, Slot> {
  key: string;
  kind: Kind;
  category: Category;
  city: string;
  date: string;
  slot: Slot;
  status: 'running' | 'skipped';
  reason: string | null;
  segmentsTotal: number;
  startedAt: string;
  lastActivityAt: string;
}

/** The push-run store as planners use it: a second create under a key returns the existing run. */
export interface RunRecorder<Run> {
  createOrGet(run: Run): Promise<{
    created: boolean;
    run: { status: 'running' | 'skipped' | 'aborted'; reason: string | null; segmentsTotal: number };
  }>;
}
