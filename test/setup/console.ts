import { afterEach, beforeEach, vi } from "vitest";
import { setLogSink } from "~/infra/logger.server";

// An unexpected console.error, or a line the app's logger writes at level error or fatal, is a defect:
// fail the test that caused it. A test that expects one spies on console.error itself
// (vi.spyOn(console, "error").mockImplementation(...)), or collects the logger's lines with captureLogs().
let errors: unknown[][] = [];
const original = console.error;
let logErrors: string[] = [];
let previousSink: ((line: string) => void) | undefined;

beforeEach(() => {
  errors = [];
  logErrors = [];
  console.error = (...args: unknown[]) => {
    errors.push(args);
    original(...args);
  };
  const print = (line: string) => void process.stdout.write(line);
  previousSink = setLogSink((line) => {
    if (Number((JSON.parse(line) as { level?: number }).level) >= 50) logErrors.push(line.trim());
    print(line);
  });
});

afterEach(() => {
  const isSpied = vi.isMockFunction(console.error);
  console.error = original;
  if (previousSink) setLogSink(previousSink);
  if (!isSpied && errors.length > 0) {
    throw new Error(`console.error was called during the test:\n${errors.map((a) => a.map(String).join(" ")).join("\n")}`);
  }
  if (logErrors.length > 0) throw new Error(`The app logged an error during the test:\n${logErrors.join("\n")}`);
});
