import { availableParallelism } from 'node:os';
import sharp from 'sharp';

/**
 * sharp settings for a process that handles one photo at a time (the photo Lambda; the
 * benchmark measures the same): no libvips operation cache, which would only hold memory, and
 * one libvips thread per core — on glibc Linux sharp otherwise defaults to a single thread
 * (to limit heap fragmentation in long-lived servers), which leaves a Lambda vCPU idle.
 */
export function configureSharpForPhotoProcessing(): void {
  sharp.cache(false);
  sharp.concurrency(availableParallelism());
}
