// The generator lives in bench/lib (plain JS, typed by its .d.ts) so the report bench draws the same run the tests check.
export { type FleetRunOptions, fleetRunEvents } from '../../bench/lib/fleet-run.js';
