/**
 * The V8 heap flags the Lambda Node.js runtime starts a function's process with (its
 * /var/runtime/bootstrap): a tenth of the function's memory is the young generation, of which half
 * is one semi-space, and the rest is the old space. A benchmark that measures a function's memory
 * runs the function's process with the same flags, so V8 sizes its heap as it would on Lambda
 * (left unlimited, it grows long before it collects, which says nothing about what it needs).
 */
export function lambdaHeapFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}
