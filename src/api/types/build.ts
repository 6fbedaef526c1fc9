/**
 * berth's own addition to the classic /build JSON stream: with `berthprogress=1` each step's progress
 * comes as a `{"berthStep": StepEvent}` line (berth build --progress draws them; the docker CLI never asks).
 * Real time, unordered when stages run side by side.
 */
export interface StepEvent {
  step: number;
  total: number;
  /** the stage's name, or its index */
  stage: string;
  status: 'start' | 'log' | 'cached' | 'done' | 'error';
  /** the instruction (start/cached/done/error) or output text (log) */
  text: string;
  /** how long the step took (cached/done/error) */
  ms?: number;
  /** the image the step made or reused */
  id?: string;
  error?: string;
}
