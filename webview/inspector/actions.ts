// What the inspector's rendered parts can ask of main.ts: user actions, turned into state changes and
// host messages there.
import type { ColorMode } from '../shared/colors';
import type { ControlSpec } from '../shared/controls';

export interface Actions {
  selectPosition(position: number, focus: boolean): void;
  hoverPosition(position: number | undefined): void;
  branch(altId: number, altText: string): void;
  regenerate(): void;
  xrayStep(): void;
  setControl(spec: ControlSpec, raw: string, commit: boolean): void;
  resetControl(spec: ControlSpec): void;
  resetAll(): void;
  setColorMode(m: ColorMode): void;
  showGeneration(id: number): void;
  toggleCompare(id: number): void;
  toggleAllAlternatives(): void;
}
