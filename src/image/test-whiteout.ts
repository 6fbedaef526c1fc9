import { mknodWhiteout } from '../snapshot/sys-calls.js';

/** Tests only: makes an overlay whiteout (char 0:0) the way a container's upper dir holds one. */
export const mknodWhiteoutForTest = mknodWhiteout;
