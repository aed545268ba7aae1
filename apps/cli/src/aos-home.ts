import { join } from 'node:path';

/** Where the CLI keeps the user's files under AOS_HOME (default ~/.aos), as aos-keys does. */
export interface AosHomePaths {
  home: string;
  /** PKCS#12 credentials (aos-user-sp.p12, aos-user-oem.p12); aos-signer searches here. */
  securityDir: string;
  /** The local development CA that `aos credentials dev` creates. */
  devCaDir: string;
  devCaCertificate: string;
  devCaKey: string;
  /** Where `aos login` remembers the cloud (URL, credential). */
  cloudSettings: string;
  /** The CA certificate of that cloud (from its system.info). */
  cloudCaCertificate: string;
}

export function aosHomePaths(home: string): AosHomePaths {
  const devCaDir = join(home, 'dev-ca');
  return {
    home,
    securityDir: join(home, 'security'),
    devCaDir,
    devCaCertificate: join(devCaDir, 'ca.pem'),
    devCaKey: join(devCaDir, 'ca.key'),
    cloudSettings: join(home, 'cloud.json'),
    cloudCaCertificate: join(home, 'cloud-ca.pem'),
  };
}

/** aos-signer's default credential file name for a role. */
export function defaultPkcs12Name(role: 'sp' | 'oem'): string {
  return `aos-user-${role}.p12`;
}
