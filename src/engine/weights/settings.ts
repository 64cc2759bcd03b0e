// The weights' environment variables: where the model is, and how it is
// downloaded. Part of the one settings table (src/settings.ts), declared here so
// that the Docker image's weights stage, which copies this folder and the
// parser alone, does not re-download 2.3 GB whenever another setting changes.
import { settingReader, type SettingSpec } from '../../setting-kinds.ts';
import { PINNED_REVISION } from './manifest.ts';

export const WEIGHTS_SETTINGS = {
  BGE_M3_WEIGHTS: { type: 'path', defaultText: '`./weights`', meaning: 'a directory holding the model; when set, nothing is downloaded' },
  COG_WEIGHTS: { type: 'path', defaultText: 'none', meaning: "Cog's name for `BGE_M3_WEIGHTS`, used when that is unset" },
  HF_ENDPOINT: { type: 'url', default: 'https://huggingface.co', meaning: 'a Hugging Face Hub mirror for the download' },
  HF_TOKEN: { type: 'secret', meaning: 'a Hub access token (only for gated or private mirrors)' },
  HUGGING_FACE_HUB_TOKEN: { type: 'secret', meaning: "the Hub's older name for `HF_TOKEN`, used when that is unset" },
  BGE_M3_REVISION: {
    type: 'string',
    default: PINNED_REVISION,
    defaultText: `the pinned commit \`${PINNED_REVISION.slice(0, 8)}…\``,
    meaning: 'download another revision (hashes then come from the Hub)',
  },
  HF_HUB_OFFLINE: { type: 'flag', default: false, meaning: '`1`: never download; name the missing files instead' },
} as const satisfies Record<string, SettingSpec>;

/** setting() of src/settings.ts for these variables only. */
export const weightsSetting = settingReader(WEIGHTS_SETTINGS);
