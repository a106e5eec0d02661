/**
 * The app's shared state: the open workspace, its runs, the selection that drives every view, the pair chosen
 * in the matrix, the running jobs, the theme. Views read and write it; only jobs.ts and App.vue talk to the API
 * about it.
 */
import type { ConnectionState } from '../../native/api/client.js';
import { reactive, watch, type Ref } from 'vue';
import type { Method, RunInfo, StepRef, WorkspaceInfo } from '../../native/api/contract.js';

export type ViewName =
  | 'runs'
  | 'matrix'
  | 'pair'
  | 'dynamics'
  | 'compression'
  | 'spectrum'
  | 'sensitivity'
  | 'significance'
  | 'identify'
  | 'group'
  | 'stability'
  | 'correlate'
  | 'groups'
  | 'grid'
  | 'timesteps';
/** The main views, one tab each. */
export const VIEWS: ReadonlyArray<{ name: ViewName; title: string }> = [
  { name: 'runs', title: 'Runs' },
  { name: 'matrix', title: 'Cluster matrix' },
  { name: 'pair', title: 'Pair' },
  { name: 'dynamics', title: 'Dynamics' },
  { name: 'compression', title: 'Compression' },
];
/** The paper analyses, under one "Analyses" tab with its own row of sub-tabs (the tab bar stays one row at 900 px). */
export const ANALYSES: ReadonlyArray<{ name: ViewName; title: string; long: string }> = [
  { name: 'spectrum', title: 'Spectra', long: 'Singular-value spectra and intrinsic dimensionality' },
  { name: 'stability', title: 'Stability', long: 'Stable vs unstable directions over training' },
  { name: 'sensitivity', title: 'Class sensitivity', long: 'Class sensitivity over checkpoints' },
  { name: 'significance', title: 'Significance', long: 'Noise floor and bootstrap intervals per run pair' },
  { name: 'correlate', title: 'Vs metric', long: 'Mean similarity against a metric (probe accuracy, …)' },
  { name: 'groups', title: 'Group distances', long: 'Within- vs between-group distance per layer' },
  { name: 'identify', title: 'Layer ID', long: 'Layer identification across seeds' },
  { name: 'grid', title: 'Net × net', long: 'Layers of one network against layers of another' },
  { name: 'group', title: 'Group dynamics', long: 'Learning dynamics averaged over a group of runs' },
  { name: 'timesteps', title: 'Timesteps', long: 'Timestep × timestep similarity of a sequence layer' },
];
export const isAnalysis = (view: ViewName): boolean => ANALYSES.some((a) => a.name === view);

export interface LayerChoice {
  run: string;
  layer: string;
  step: StepRef;
}

export interface PairChoice {
  a: LayerChoice;
  b: LayerChoice;
  method: Method;
}

export interface JobState {
  id: string;
  label: string;
  done: number;
  total: number;
  rate: number;
  startedAt: number;
  cancelling: boolean;
}

export type Theme = 'light' | 'dark';

function initialTheme(): Theme {
  const saved = localStorage.getItem('svcca-studio-theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export const state = reactive({
  workspace: null as WorkspaceInfo | null,
  runs: [] as RunInfo[],
  /** Selected run names, in the order they were picked. Empty means "all" for views that take many runs. */
  selected: [] as string[],
  view: 'runs' as ViewName,
  pair: null as PairChoice | null,
  jobs: [] as JobState[],
  /** The last error, one line, shown in the status bar until dismissed. */
  error: null as string | null,
  theme: initialTheme(),
  connected: false,
  /** Which server the page works on: this machine's, or an attached remote serve and its link's state. */
  remote: { phase: 'local', url: null, detail: '' } as ConnectionState,
});

export function setTheme(theme: Theme): void {
  state.theme = theme;
  localStorage.setItem('svcca-studio-theme', theme);
  document.documentElement.dataset['theme'] = theme;
}

export function runByName(name: string): RunInfo | undefined {
  return state.runs.find((r) => r.name === name);
}

/** The runs a many-run view works on: the selection if any, else every run. */
export function activeRuns(): RunInfo[] {
  if (state.selected.length === 0) return state.runs;
  const chosen = new Set(state.selected);
  return state.runs.filter((r) => chosen.has(r.name));
}

/** The run a one-run view works on: the first selected run, else the first run with several checkpoints. */
export function focusRun(): RunInfo | undefined {
  for (const name of state.selected) {
    const run = runByName(name);
    if (run) return run;
  }
  return state.runs.find((r) => r.steps.length > 1) ?? state.runs[0];
}

/** A view's result belongs to the workspace it was computed on: cleared when another one opens. */
export function clearOnWorkspaceChange(result: Ref<unknown>): void {
  watch(
    () => state.workspace?.root,
    () => {
      result.value = null;
    },
  );
}

/** A one-run view follows the focus run (focusRun) as runs arrive and the selection changes. */
export function followFocusRun(run: Ref<string>): void {
  watch(
    () => [state.runs, state.selected],
    () => {
      const pick = focusRun();
      if (pick && (!run.value || state.selected.includes(pick.name))) run.value = pick.name;
    },
    { immediate: true },
  );
}

export function navigate(view: ViewName): void {
  state.view = view;
  const hash = `#/${view}`;
  if (window.location.hash !== hash) history.replaceState(null, '', `${window.location.pathname}${window.location.search}${hash}`);
}

export function viewFromHash(): ViewName {
  const name = window.location.hash.replace(/^#\/?/, '');
  return [...VIEWS, ...ANALYSES].some((v) => v.name === name) ? (name as ViewName) : 'runs';
}

/** An error as one line: its kind (when not plain Error) and message. */
export function errorText(err: unknown): string {
  const message = err instanceof Error ? `${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}` : String(err);
  return message.replace(/\s*\n\s*/g, ' ');
}

export function showError(err: unknown): void {
  state.error = errorText(err);
}
