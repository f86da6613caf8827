import { afterEach, beforeEach, vi } from "vitest";

// An unexpected console.error is a defect: fail the test that caused it.
// A test that expects one spies on console.error itself (vi.spyOn(console, "error").mockImplementation(...)).
let errors: unknown[][] = [];
const original = console.error;

beforeEach(() => {
  errors = [];
  console.error = (...args: unknown[]) => {
    errors.push(args);
    original(...args);
  };
});

afterEach(() => {
  const isSpied = vi.isMockFunction(console.error);
  console.error = original;
  if (!isSpied && errors.length > 0) {
    throw new Error(`console.error was called during the test:\n${errors.map((a) => a.map(String).join(" ")).join("\n")}`);
  }
});
