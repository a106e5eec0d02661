/**
 * What "a class" is for class sensitivity ([Raghu2017-SVCCA], sec. 4.3): one column per class over the probe
 * datapoints.
 *  - `logits` (the paper's choice): class c's logit, the c-th unit of the run's output layer at the reference
 *    checkpoint;
 *  - `labels`: the indicator 1[label = c] from the workspace's probe_labels.npy.
 */
import { InputError, UsageError } from '../errors.js';
import { openArray } from '../formats/index.js';
import type { WorkspaceIndex } from '../index/index.js';
import type { LayerData } from '../layers/index.js';
import { matrix, type Matrix } from '../linalg/matrix.js';

export type ClassTargetKind = 'logits' | 'labels';

export interface ClassTargets {
  readonly kind: ClassTargetKind;
  readonly classes: string[];
  /** datapoints × classes. */
  readonly columns: Matrix;
}

/** Class names: run.json's `classes` (or `class_names`) when it lists one per unit, else the unit indices. */
export function classNames(meta: Readonly<Record<string, unknown>>, count: number): string[] {
  for (const key of ['classes', 'class_names']) {
    const value = meta[key];
    if (Array.isArray(value) && value.length === count && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.map(String);
  }
  return Array.from({ length: count }, (_, i) => String(i));
}

export function logitTargets(output: LayerData, meta: Readonly<Record<string, unknown>>): ClassTargets {
  if (output.spatial !== null) throw new InputError(output.ref, 'the output layer is a conv map; class logits must be a dense (datapoints, classes) layer');
  if (output.channels < 2) throw new InputError(output.ref, `the output layer has ${output.channels} unit; class sensitivity needs one logit per class`);
  return { kind: 'logits', classes: classNames(meta, output.channels), columns: matrix(output.datapoints, output.channels, output.data) };
}

/** Reads the workspace's probe labels (integers, one per datapoint). */
export async function readProbeLabels(index: WorkspaceIndex): Promise<{ path: string; labels: Int32Array }> {
  const path = index.probeLabels();
  if (path === null) throw new InputError(index.root, 'no probe_labels.npy in this workspace (it holds the labels of the probe datapoints)');
  const source = await openArray(path);
  const shape = source.info.shape;
  if (shape.length !== 1 && !(shape.length === 2 && shape[1] === 1)) throw new InputError(path, `labels must be one integer per datapoint, got shape (${shape.join(', ')})`);
  const raw = await source.readAll();
  const labels = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]!;
    if (!Number.isInteger(v) || v < 0) throw new InputError(path, `label ${v} at datapoint ${i} is not a class index (a whole number ≥ 0)`);
    labels[i] = v;
  }
  return { path, labels };
}

export function labelTargets(labels: Int32Array, path: string, datapoints: number): ClassTargets {
  if (labels.length !== datapoints) throw new InputError(path, `has ${labels.length} labels but the layers have ${datapoints} datapoints`);
  const present = [...new Set(labels)].sort((a, b) => a - b);
  if (present.length < 2) throw new InputError(path, 'all probe labels are the same class; class sensitivity needs at least two');
  const columns = matrix(datapoints, present.length);
  const column = new Map(present.map((c, j) => [c, j]));
  for (let i = 0; i < datapoints; i++) columns.data[i * present.length + column.get(labels[i]!)!] = 1;
  return { kind: 'labels', classes: present.map(String), columns };
}

export function checkTargetKind(kind: string): ClassTargetKind {
  if (kind === 'logits' || kind === 'labels') return kind;
  throw new UsageError(`--target must be logits or labels, got '${kind}'`);
}
