/**
 * Go's text/template as the docker CLI uses it for --format: Go's syntax,
 * builtins and value printing, plus docker's json/split/join/title/lower/
 * upper/pad/truncate. See template.ts for the lifecycle and values.ts for how
 * JavaScript values stand in for Go values.
 */
export { TemplateError } from './template-error.js';
export { Template, parseTemplate, renderTemplate } from './template.js';
export type { ExecuteOptions, ParseOptions } from './template.js';
export type { FuncMap, TemplateFunction } from './functions.js';
export { dockerHeaderFunctions } from './docker-functions.js';
export { splitTableFormat } from './table-format.js';
export { GoFloat } from './values.js';
export { goJSON } from './go-json.js';
export { formatValue, sprintf } from './go-fmt.js';
