/**
 * How a template function is described. Go checks argument types through
 * reflection; here each function declares the Go kinds of its parameters so
 * that the executor can report Go's errors (`wrong type for value; expected
 * string; got int`, `wrong number of args for upper: want 1 got 2`).
 *
 * Parameter kinds:
 * - `value`: Go's reflect.Value; the function sees MISSING for a missing value.
 * - `any`: Go's interface{}; a missing value arrives as null.
 * - `string`, `int`, `bool`, `stringSlice`: the Go types of those names.
 */

export type ParamKind = 'value' | 'any' | 'string' | 'int' | 'bool' | 'stringSlice';

export interface GoFunc {
  readonly params: readonly ParamKind[];
  /** Kind of the trailing variadic parameter, if the function has one. */
  readonly variadic?: ParamKind;
  /** `and` and `or` evaluate their arguments lazily. */
  readonly shortCircuit?: 'and' | 'or';
  /** Throws an Error whose message becomes `error calling NAME: MESSAGE`. */
  readonly call: (...args: unknown[]) => unknown;
}

/** A function a caller adds to a template; it receives the evaluated arguments. */
export type TemplateFunction = (...args: never[]) => unknown;

/** Extra or overriding functions, by the name templates call them. */
export type FuncMap = Readonly<Record<string, TemplateFunction>>;

export function goFunc(params: readonly ParamKind[], call: (...args: never[]) => unknown, variadic?: ParamKind): GoFunc {
  return { params, call: call as (...args: unknown[]) => unknown, ...(variadic ? { variadic } : {}) };
}

export function goKindName(kind: ParamKind): string {
  switch (kind) {
    case 'value': return 'reflect.Value';
    case 'any': return 'interface {}';
    case 'stringSlice': return '[]string';
    default: return kind;
  }
}
