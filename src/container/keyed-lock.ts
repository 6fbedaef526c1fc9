export { KeyedLock } from '../util/keyed-lock.js';
