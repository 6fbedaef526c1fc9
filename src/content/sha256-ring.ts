/** The shared ring between sha256Stream() and its worker: slot numbers in the Int32 control array. */
export const USED = 0; // bytes in the ring not yet hashed
export const WSEQ = 1; // bumped by the writer after each write and on close: the worker waits on it
export const SEQ = 2; // bumped by the worker after each read: the writer waits on it for room
export const STATE = 3; // OPEN, CLOSED (hash what is left and answer the digest) or ABORTED
export const OPEN = 0;
export const CLOSED = 1;
export const ABORTED = 2;
export const CTRL_SLOTS = 4;

export interface HashJob {
  ctrl: SharedArrayBuffer;
  data: SharedArrayBuffer;
}
