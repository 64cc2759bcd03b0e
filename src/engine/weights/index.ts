// Public API of the weights downloader.
export { downloadWeights, weightsPresent, DEFAULT_ENDPOINT, DEFAULT_WEIGHTS_DIR, type DownloadOptions, type DownloadResult } from './download.ts';
export { WeightsError, type WeightsErrorCode } from './errors.ts';
export { PINNED_FILES, PINNED_REVISION, REPO_ID, filesForRevision, type WeightFile } from './manifest.ts';
export { ProgressBar, type ProgressBarOptions } from './progress-bar.ts';
export type { DownloadProgress } from './progress.ts';
