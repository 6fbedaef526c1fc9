/**
 * The one error type of the template engine. Its message follows Go's
 * text/template wording, because users compare berth's output with docker's:
 *
 *   parse:     template: :1: function "foo" not defined
 *   execution: template: :1:2: executing "" at <.Foo>: can't evaluate field Foo in type string
 */
export class TemplateError extends Error {
  /** Whether the template failed to parse or to execute. */
  readonly phase: 'parse' | 'exec';

  constructor(phase: 'parse' | 'exec', message: string) {
    super(message);
    this.name = 'TemplateError';
    this.phase = phase;
  }
}
