export { TemplateError } from './template-error.js';
export { Template, parseTemplate, renderTemplate } from './template.js';
export type { ExecuteOptions, ParseOptions } from './template.js';
export type { FuncMap, TemplateFunction } from './functions.js';
export { dockerHeaderFunctions } from './docker-functions.js';
export { splitTableFormat } from './table-format.js';
export { GoFloat } from './values.js';
export { goJSON } from './go-json.js';
export { sprintf, formatValue } from './go-fmt.js';
