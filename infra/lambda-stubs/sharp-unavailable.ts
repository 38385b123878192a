/**
 * Stands in for `sharp` in the bundles of functions that never process images (API, import
 * jobs, scheduled jobs): their code reaches the photo pipeline's module through the shared
 * services, but only the photo function runs it. Bundling the real sharp would fail to load
 * its native binary (it is installed only into the photo function's asset) and loading it
 * would cost ~150 ms of cold start; this stub costs nothing and fails loudly if ever called.
 */
function sharpUnavailable(): never {
  throw new Error('sharp is not part of this function: images are processed by the photo function');
}
export default sharpUnavailable;
