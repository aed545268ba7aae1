import { stringify } from 'yaml';

export interface ConfigTemplateOptions {
  /** publish.service_uid; left empty (to fill in) when absent. */
  serviceUid?: string;
  /** Cloud host for publish.url; default "aoscloud.io". */
  url?: string;
  /** Start command; default `python3 -u /hello.py`. */
  cmd?: string;
}

/**
 * The commented `meta/config.yaml` written by `aos init`, modelled on aos-signer's
 * template (reference §2.2): every option explained, optional ones commented out, and
 * working defaults for a Python hello world (quotas with room for python3: 64MB RAM).
 * With a service UID it validates for signing as it is.
 */
export function defaultConfigTemplate(options: ConfigTemplateOptions = {}): string {
  const cmd = scalar(options.cmd ?? 'python3 -u /hello.py');
  const url = scalar(options.url ?? 'aoscloud.io');
  const serviceUid = options.serviceUid === undefined ? '' : ` ${scalar(options.serviceUid)}`;
  return `# Commented sections are optional. Uncomment them if you want to include them in config
# Field reference: packages/config/README.md (same fields as aos-signer's meta/config.yaml, schema v1)

#publisher: # General publisher info section
#    author: # Author info
#    company: # Company info

# How to build and sign package
build:
    os: linux
    arch: x86_64 # x86/x86_64/amd64, arm/armv7 or aarch64/arm64
    sign_pkcs12: aos-user-sp.p12 # SP certificate + key; searched in meta/ then ~/.aos/security/
    #sign_key: private_key.pem        # or a PEM key ...
    #sign_certificate: sp-client.pem  # ... with its PEM certificate
    symlinks: copy # symlinks in src/: copy (keep them), delete, or raise (refuse to sign)
    #source_folder: src  # folder packed as the container rootfs "/", default src
    #package_folder: .   # where service.tar.gz is written, default .

# Information about publishing process (URI, cert, etc)
publish:
    url: ${url} # cloud host, no scheme
    service_uid:${serviceUid} # Service UID can be found on the Cloud service details page (Required)
    tls_pkcs12: aos-user-sp.p12 # certificate for the upload (or tls_key + tls_certificate)
    version: "1.0.0" # Vendor version that should be in SemVer format (Required); raise it for every upload

# Service configuration
configuration:
    # Startup command (one string split like a shell would, or a list of words):
    cmd: ${cmd}

    # Service working directory:
    workingDir: /

    # Service runtime parameters:
    #    runners: [runc]  # runners that may run the instances (runc, crun, runx, xrun). Default: runc, crun
    #    balancingPolicy: enabled  # disabled = never move instances to other nodes
    #    instances:
    #        minInstances: 1        # indicates minimal number of service's instances that should be run on Unit
    #        priority: 0            # Priority of service instance (0-1000000000, 0 is the lowest priority), default value is 0
    #        labels:                # Labels where service instance should be run
    #             - string
    #    runParameters:
    #        startInterval: 'PT10S'   # indicates maximum time (ISO 8601 duration) required by service to start
    #        startBurst: 3            # indicates number of attempt to start
    #        restartInterval: 'PT1S'  # indicates in which time (ISO 8601 duration) the service will be restarted after exit
    #    offlineTTL: 'PT1M'   # service TTL (ISO 8601 duration). In case of the unit is offline more than TTL time - Service should be deleted.
    #    downloadTTL: 'PT1M'  # download service TTL (ISO 8601 duration). In case of the unit is not able to download service or related layer more than TTL time - Service should be deleted.

    # Environment variables for the service. Will be applied for running instance of the service in a container:
    #    env:
    #       - MY_ENV_VAR1=this env var will be set for the service
    #       - MY_ENV_VAR2=this_to

    # List of permissions:
    #    permissions:
    #        vis:
    #            Attribute.Body.Vehicle.VIN: "r"
    #            Signal.Doors.* : "rw"

    # Filesystem resources:
    #    devices:
    #        - name : string (camera0, mic0, audio0, etc)
    #          mode  : rwm
    #    resources:
    #        - system-dbus
    #        - bluetooth

    # Network resources:
    #    hostname: my-container
    #    exposedPorts:
    #        - 8089-8090/tcp
    #        - 1515/udp
    #        - 9000
    #    allowedConnections:
    #        - 9931560c-be75-4f60-9abf-08297d905332/8087-8088/tcp
    #        - 9931560c-be75-4f60-9abf-08297d905332/1515/udp

    # Runtime resources. Sizes: 64KB, 200MB, 1GB (1000-based) or KiB/MiB/GiB (1024-based).
    #    isResourceLimits: True  # when set as False, the service version has no resource limits and also has no resource reservations for Pre-release versions
    #    requestedResources:
    #        cpu: 10000
    #        ram: 32MB    # at least 6MB for runc/crun
    #        storage: 64kB
    #        state: 32kB
    quotas:
        cpu: 50        # percent of the unit's CPU capacity (all cores)
        mem: 64MB      # RAM limit; at least 6MB for runc/crun
        temp: 8MB      # size of /tmp
    #    state: 64kB          # size of /state.dat
    #    storage: 64kB        # size of /storage
    #    upload_speed: 32Kb
    #    download_speed: 32Kb
    #    upload: 1GB
    #    download: 1GB
    #    alerts:
    #        ram:
    #            minTime: 'PT5S'   # ISO 8601 duration
    #            minThreshold: 10
    #            maxThreshold: 150
    #        cpu:
    #            minTime: 'PT5S'   # ISO 8601 duration
    #            minThreshold: 40
    #            maxThreshold: 45
    #        storage:
    #            minTime: 'PT5S'   # ISO 8601 duration
    #            minThreshold: 10
    #            maxThreshold: 150
    #        upload:
    #            minTime: 'PT5S'   # ISO 8601 duration
    #            minThreshold: 10
    #            maxThreshold: 150
    #        download:
    #            minTime: 'PT5S'   # ISO 8601 duration
    #            minThreshold: 10
    #            maxThreshold: 150

    # List of layers. Each layer identified by strict alias. For example, python-3.6.8, rust-x.y.z.
    #    layers:
    #        - "aos-pylibs-layer"

    # State configuration:
    #    state:
    #        filename: state.dat   # in meta/; shipped as the default state when required
    #        required: False
`;
}

/** A YAML scalar for one line: plain when safe, quoted otherwise. */
function scalar(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}
