import type { MeasurementPresentation } from './kind.js';
import { CHECK_KINDS } from './registry.js';

/** A kind this version does not know (a log from a newer one): its values shown as they are. */
const UNKNOWN: MeasurementPresentation = { label: 'result', unit: '', plot: [], rule: "the kind's own verdict" };

/** How readers show a kind's measurements, by the kind's name as events record it. */
export function presentationOf(kind: string): MeasurementPresentation {
  return Object.hasOwn(CHECK_KINDS, kind) ? CHECK_KINDS[kind as keyof typeof CHECK_KINDS].presentation : UNKNOWN;
}
