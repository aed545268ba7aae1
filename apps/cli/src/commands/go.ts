import type { CloudTargetOptions } from '../cloud/cloud-settings.js';
import { locationOf, type ServiceLocation } from '../service-folder.js';
import { runSign, type SignOptions, type SignResult } from './sign.js';
import { runUpload, type UploadResult } from './upload.js';

export interface GoOptions extends CloudTargetOptions, ServiceLocation {
  /** `-p`: sign (and authenticate) with this PKCS#12. */
  pkcs12?: string;
  /** The signing time recorded in the package (SOURCE_DATE_EPOCH); default now. */
  signedAt?: Date | undefined;
  onSignProgress?: SignOptions['onProgress'];
  onUploadProgress?: (sent: number, total: number) => void;
}

export interface GoResult {
  sign: SignResult;
  upload: UploadResult;
}

/** `aos-signer go`: sign, then upload what was signed. */
export async function runGo(options: GoOptions): Promise<GoResult> {
  const sign = await runSign({
    ...locationOf(options),
    aosHome: options.aosHome,
    ...(options.pkcs12 ? { pkcs12: options.pkcs12 } : {}),
    ...(options.signedAt ? { signedAt: options.signedAt } : {}),
    ...(options.onSignProgress ? { onProgress: options.onSignProgress } : {}),
  });
  const upload = await runUpload({
    ...locationOf(options),
    aosHome: options.aosHome,
    file: sign.path,
    ...(options.url ? { url: options.url } : {}),
    ...(options.pkcs12 ? { pkcs12: options.pkcs12 } : {}),
    ...(options.onUploadProgress ? { onProgress: options.onUploadProgress } : {}),
  });
  return { sign, upload };
}
