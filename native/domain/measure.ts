/**
 * The measure vocabulary shared by every layer of the code (readers up to the UI): method names, conv modes,
 * layouts, step references and the options a comparison takes. Each is a valibot schema, the one source of both
 * the TypeScript type (`v.InferOutput`) and the runtime check at the wire (native/api/dispatch.ts).
 */
import * as v from 'valibot';

export const METHODS = ['cca', 'svcca', 'svcca-weighted', 'pwcca', 'cka', 'dft-cca'] as const;
export const MethodSchema = v.picklist(METHODS);
export type Method = v.InferOutput<typeof MethodSchema>;

/** `mean`: every conv channel averaged over its positions ([Morcos2018-PWCCA] sec. 3.1), one row per datapoint. */
export const CONV_MODES = ['channels', 'flatten', 'dft', 'mean'] as const;
export const ConvModeSchema = v.picklist(CONV_MODES);
export type ConvMode = v.InferOutput<typeof ConvModeSchema>;

/** `ntc`: (datapoints, timesteps, units), a sequence layer such as an RNN's hidden state (docs/formats.md). */
export const LAYOUTS = ['nhwc', 'nchw', 'ntc'] as const;
export const LayoutSchema = v.picklist(LAYOUTS);
export type Layout = v.InferOutput<typeof LayoutSchema>;

export const BACKEND_CHOICES = ['auto', 'cpu', 'gpu'] as const;
export const BackendChoiceSchema = v.picklist(BACKEND_CHOICES);
export type BackendChoice = v.InferOutput<typeof BackendChoiceSchema>;

/** A finite number (NaN and ±Infinity cannot cross JSON faithfully and are never a valid option). */
export const FiniteSchema = v.pipe(v.number(), v.finite());
export const CountSchema = v.pipe(v.number(), v.integer(), v.minValue(0));

const STEP_WORDS = "must be a step number, 'final' or 'last'";
/** A checkpoint: its step number, `final` (the run's final/ folder) or `last` (whichever comes last). */
export const StepRefSchema = v.union(
  [v.literal('final'), v.literal('last'), v.pipe(v.number(STEP_WORDS), v.integer(STEP_WORDS), v.minValue(0, STEP_WORDS))],
  STEP_WORDS,
);
export type StepRef = v.InferOutput<typeof StepRefSchema>;

/** A checkpoint as the index lists it: a step number, or the run's `final` folder. */
export const StepSchema = v.union([CountSchema, v.literal('final')]);
export type Step = v.InferOutput<typeof StepSchema>;

/** Options of one comparison, every field optional but the method. */
export const measureOptionEntries = {
  method: MethodSchema,
  keep: v.optional(FiniteSchema),
  dims: v.optional(FiniteSchema),
  epsilon: v.optional(FiniteSchema),
  pwccaCompat: v.optional(v.literal('reference')),
  conv: v.optional(ConvModeSchema),
  layout: v.optional(LayoutSchema),
  neuronsFirst: v.optional(v.boolean()),
  backend: v.optional(BackendChoiceSchema),
};
export const MeasureOptionsSchema = v.strictObject(measureOptionEntries);
export type MeasureOptions = v.InferOutput<typeof MeasureOptionsSchema>;
