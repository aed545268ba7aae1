import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isErrorProblem } from '@openaos/config';
import { resolveCloudTarget, type CloudTargetOptions } from '../cloud/cloud-settings.js';
import { uploadPackage, type UploadedVersion } from '../cloud/upload-package.js';
import { displayPath } from '../display-path.js';
import { CliError } from '../errors.js';
import { locationOf, type ServiceLocation } from '../service-folder.js';
import { runValidate } from './validate.js';

export interface UploadOptions extends CloudTargetOptions, ServiceLocation {
  /** The package (default: <service>/<build.package_folder>/service.tar.gz, where `aos sign` writes it). */
  file?: string;
  onProgress?: (sent: number, total: number) => void;
}

export interface UploadResult extends UploadedVersion {
  serviceId: string;
  packagePath: string;
  size: number;
  url: string;
}

/**
 * Upload a signed package as aos-signer 1.x does: the service ID and version come from
 * meta/config.yaml (publish.service_uid, publish.version), the file from where `aos sign`
 * wrote it. The cloud verifies it, checks the version is newer and builds the image.
 */
export async function runUpload(options: UploadOptions): Promise<UploadResult> {
  const validation = await runValidate({ ...locationOf(options), forSigning: true });
  const config = validation.config;
  if (!validation.valid || !config?.publish.service_uid || !config.publish.version) {
    throw new CliError(
      'invalid-config',
      'reading the service config for upload',
      `${validation.problems.filter(isErrorProblem).length} problem(s) in ${displayPath(validation.configPath)}`,
      {
        problems: validation.problems,
        hint: 'fix meta/config.yaml (publish.service_uid and publish.version are needed), sign, then upload',
      },
    );
  }
  const packagePath = options.file
    ? resolve(options.file)
    : join(validation.serviceDir, config.build.package_folder, 'service.tar.gz');
  const action = `uploading ${displayPath(packagePath)}`;
  const size = await stat(packagePath).then(
    (info) => info.size,
    () => {
      throw new CliError('not-found', action, `${packagePath} does not exist`, {
        hint: 'run `aos sign` first (or `aos go` to sign and upload)',
      });
    },
  );
  const target = await resolveCloudTarget({ ...options, role: 'sp' }, action);
  const uploaded = await uploadPackage({
    url: target.url,
    credential: target.credential,
    serviceId: config.publish.service_uid,
    version: config.publish.version,
    packagePath,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { ...uploaded, serviceId: config.publish.service_uid, packagePath, size, url: target.url };
}
