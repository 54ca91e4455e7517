import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * A full garbage collection in the calling thread, without starting the process with --expose-gc.
 * Diagnostics only (bench/face.ts): separates memory the JS heaps would give back from native memory
 * (WASM heap, libvips, malloc arenas) that stays.
 */
export function fullGc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}
