/** Everything the build has to say about one input file, collected instead of thrown. */

/** `note`: left out on purpose (unpublished, draft, future); `warning`: published with a fix; `error`: skipped. */
export type Severity = "error" | "warning" | "note";

/** One reported problem: `path: message (action)`. */
export interface Problem {
  path: string;
  severity: Severity;
  message: string;
  /** What the build did about it, e.g. "post skipped", "date taken from the file name". */
  action: string;
}

/** Collects problems for one file so that parsing code can stay linear. */
export class ProblemLog {
  readonly problems: Problem[] = [];

  constructor(readonly path: string) {}

  warn(message: string, action: string): void {
    this.add("warning", message, action);
  }

  note(message: string, action: string): void {
    this.add("note", message, action);
  }

  error(message: string, action: string): void {
    this.add("error", message, action);
  }

  /** Each problem is reported once per file, however often it occurs (e.g. two empty tags). */
  private add(severity: Severity, message: string, action: string): void {
    if (this.problems.some((p) => p.message === message && p.action === action)) return;
    this.problems.push({ path: this.path, severity, message, action });
  }
}

/** The one-line form every problem is printed in. */
export function formatProblem(problem: Problem): string {
  return `${problem.path}: ${problem.message} (${problem.action})`;
}
