/**
 * How a function's code is bundled, in one place: the CDK builder (./service-function.ts) hands it to
 * NodejsFunction, and the cold-start benchmark (test/bench/cold-start.ts) builds exactly the same
 * bundle with esbuild to measure its size and its module initialisation.
 */
export const BUNDLE = {
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  sourcemap: true,
  keepNames: true,
  mainFields: ['module', 'main'],
  /** Nothing is left to the runtime: the SDK versions are the lockfile's, not the runtime's. */
  external: [] as string[],
  // The X-Ray SDK inside Powertools Tracer is CommonJS and calls require().
  banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
} as const;
