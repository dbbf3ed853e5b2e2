//! Static vocabularies the fleet draws from (names, sizes, versions), with their weights.

/// Application roles: `(name prefix, AppType category value, weight)`.
pub(crate) const APPS: &[(&str, &str, u32)] = &[
    ("web", "Web", 20),
    ("app", "Default", 18),
    ("db", "Microsoft_SQL", 10),
    ("ora", "Oracle_DB", 4),
    ("cache", "Redis", 6),
    ("k8s", "Kubernetes", 14),
    ("build", "CI_CD", 6),
    ("etl", "Apache_Spark", 5),
    ("vdi", "VDI", 10),
    ("mail", "Exchange", 2),
    ("file", "File_Server", 5),
];

/// Environments: `(name infix, Environment category value, weight)`.
pub(crate) const ENVS: &[(&str, &str, u32)] = &[
    ("prod", "Production", 45),
    ("stg", "Staging", 15),
    ("dev", "Development", 25),
    ("test", "Testing", 12),
    ("dr", "DR", 3),
];

/// Cost centres (CostCenter category values).
pub(crate) const COST_CENTERS: &[&str] = &[
    "CC-1001", "CC-1002", "CC-1003", "CC-2001", "CC-2002", "CC-3001", "CC-4001", "CC-9000",
];

/// Business units (BusinessUnit category values).
pub(crate) const BUSINESS_UNITS: &[&str] = &[
    "Retail",
    "Finance",
    "Engineering",
    "Operations",
    "Marketing",
];

/// CPU shapes `(sockets, vCPUs per socket)` from 1 to 32 vCPUs, and their weights.
pub(crate) const CPU_SHAPES: &[(u32, u32)] = &[
    (1, 1),
    (1, 2),
    (2, 1),
    (2, 2),
    (1, 4),
    (4, 1),
    (2, 4),
    (4, 2),
    (4, 4),
    (2, 8),
    (8, 2),
    (4, 6),
    (2, 12),
    (4, 8),
    (2, 16),
    (8, 4),
];
/// Weights of [`CPU_SHAPES`].
pub(crate) const CPU_WEIGHTS: &[u32] = &[8, 14, 12, 18, 6, 5, 10, 8, 7, 3, 2, 2, 1, 2, 1, 1];

/// Memory sizes in GiB (1 to 256) and their weights.
pub(crate) const MEMORY_GIB: &[u32] = &[1, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256];
/// Weights of [`MEMORY_GIB`].
pub(crate) const MEMORY_WEIGHTS: &[u32] = &[4, 10, 18, 4, 18, 5, 14, 4, 9, 2, 5, 1, 3, 1, 1];

/// Disk sizes in GiB and their weights.
pub(crate) const DISK_GIB: &[u64] = &[
    10, 20, 40, 50, 60, 80, 100, 150, 200, 250, 500, 750, 1024, 2048, 4096,
];
/// Weights of [`DISK_GIB`].
pub(crate) const DISK_WEIGHTS: &[u32] = &[4, 8, 16, 12, 6, 8, 14, 4, 8, 3, 6, 2, 4, 2, 1];

/// Guest OS strings as NGT reports them, and their weights.
pub(crate) const GUEST_OS: &[&str] = &[
    "linux:64:Ubuntu-22.04",
    "linux:64:Ubuntu-20.04",
    "linux:64:RedHatEnterpriseLinux-8.8",
    "linux:64:RedHatEnterpriseLinux-9.2",
    "linux:64:RockyLinux-9.3",
    "linux:64:CentOS-7.9",
    "linux:64:Debian-12",
    "windows:64:WindowsServer2019Standard",
    "windows:64:WindowsServer2022Datacenter",
    "windows:64:WindowsServer2016Standard",
    "windows:64:Windows10Enterprise",
];
/// Weights of [`GUEST_OS`].
pub(crate) const GUEST_OS_WEIGHTS: &[u32] = &[18, 8, 10, 8, 6, 6, 5, 12, 12, 4, 8];

/// Images: `(name, image type, size in MiB, architecture)`.
pub(crate) const IMAGES: &[(&str, &str, u64)] = &[
    ("ubuntu-22.04-server-cloudimg-amd64", "DISK_IMAGE", 2_252),
    ("ubuntu-24.04-server-cloudimg-amd64", "DISK_IMAGE", 2_361),
    ("rhel-9.2-x86_64-kvm", "DISK_IMAGE", 10_240),
    ("rocky-9.3-genericcloud", "DISK_IMAGE", 10_240),
    ("windows-server-2022-datacenter", "DISK_IMAGE", 32_768),
    ("windows-server-2019-standard", "DISK_IMAGE", 32_768),
    ("centos-7.9-x86_64-genericcloud", "DISK_IMAGE", 8_192),
    ("debian-12-genericcloud-amd64", "DISK_IMAGE", 2_048),
    ("Nutanix-VirtIO-1.2.3.iso", "ISO_IMAGE", 58),
    ("SERVER_EVAL_x64FRE_en-us.iso", "ISO_IMAGE", 5_068),
    ("ubuntu-22.04.4-live-server-amd64.iso", "ISO_IMAGE", 2_012),
    ("windows10-enterprise-22h2-golden", "DISK_IMAGE", 40_960),
];

/// Project names after the default `_internal` project.
pub(crate) const PROJECTS: &[&str] = &[
    "finance-apps",
    "platform-engineering",
    "data-analytics",
    "retail-web",
    "vdi-pool",
    "security-tools",
    "research",
    "shared-services",
];

/// Owner user names (the first is the built-in `admin`).
pub(crate) const USERS: &[&str] = &[
    "admin",
    "svc-automation",
    "alice.nguyen@corp.example",
    "bob.martin@corp.example",
    "carla.diaz@corp.example",
    "dev.team@corp.example",
    "ops.oncall@corp.example",
    "svc-calm",
];

/// Site prefixes for cluster names.
pub(crate) const SITES: &[&str] = &[
    "phx", "ams", "sin", "fra", "nyc", "lon", "syd", "tok", "dal", "par",
];

/// AOS releases: `(version, full version suffix, long-term support)`.
pub(crate) const AOS: &[(&str, bool)] = &[
    ("6.5.4.5", true),
    ("6.8.1", false),
    ("6.10.1", true),
    ("7.0.1", false),
];

/// AHV releases reported by hypervisor servers.
pub(crate) const AHV: &[&str] = &[
    "el7.nutanix.20220304.462",
    "el8.nutanix.20230302.101026",
    "el8.nutanix.20230302.207",
];

/// CPU models of the hosts: `(model, cores per socket, base Hz)`.
pub(crate) const CPU_MODELS: &[(&str, u32, u64)] = &[
    (
        "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz",
        24,
        3_000_000_000,
    ),
    (
        "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz",
        32,
        2_000_000_000,
    ),
    (
        "Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz",
        16,
        2_400_000_000,
    ),
    ("AMD EPYC 7543 32-Core Processor", 32, 2_800_000_000),
];

/// Block models of the hosts.
pub(crate) const BLOCK_MODELS: &[&str] = &[
    "NX-3170-G8",
    "NX-8170-G8",
    "NX-3155-G9",
    "HPE DX360 Gen10 Plus",
];

/// Time zones of the clusters.
pub(crate) const TIMEZONES: &[&str] = &[
    "UTC",
    "America/Phoenix",
    "Europe/Amsterdam",
    "Asia/Singapore",
    "America/New_York",
];

/// GPU profiles: `(vendor, mode, device id, name, frame buffer MiB)`.
pub(crate) const GPUS: &[(&str, &str, i64, &str, i64)] = &[
    ("NVIDIA", "VIRTUAL", 11, "GRID T4-4Q", 4096),
    ("NVIDIA", "VIRTUAL", 48, "GRID A16-8Q", 8192),
    ("NVIDIA", "PASSTHROUGH_COMPUTE", 8, "Tesla T4", 16384),
];
