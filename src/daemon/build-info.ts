/** The version berthd reports in /version and /info. */
export const BERTH_VERSION = '0.1.0';
export const GIT_COMMIT = 'berth';
