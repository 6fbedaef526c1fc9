/** The CLI's own version, printed by `berth version` and `berth -v`. */
export const CLI_VERSION = {
  version: '0.1.0',
  apiVersion: '1.43',
  gitCommit: 'berth',
  built: '',
};
