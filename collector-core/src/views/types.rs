//! Per-type views: list table, search, widgets and detail tabs (all on the type); each service
//! carries only a reference to its type (view style B).

use std::sync::LazyLock;

use serde_json::{Value, json};

use super::field::{
    Field, card_count, card_sum, chart_count_by, item, query_search_table, search, search_enum,
    simple_table, table,
};
use crate::catalog::ServiceKind;
use crate::resource::PROVIDER;

const POWER_COLOURS: &[(&str, &str)] = &[
    ("ON", "green.500"),
    ("OFF", "gray.400"),
    ("PAUSED", "yellow.500"),
    ("UNKNOWN", "red.500"),
];

/// The `metadata` of the CloudServiceType of `kind`:
/// `{"view": {table, search, widget, "sub_data": {"layouts": [...]}}}`.
///
/// The type carries the detail tabs of its services (view style B), so each CloudService record
/// only points here (see [`service_metadata`]). Built once per process.
pub fn type_metadata(kind: ServiceKind) -> &'static Value {
    static VM: LazyLock<Value> = LazyLock::new(|| with_tabs(vm_type(), vm_tabs()));
    static HOST: LazyLock<Value> = LazyLock::new(|| with_tabs(host_type(), host_tabs()));
    static IMAGE: LazyLock<Value> = LazyLock::new(|| with_tabs(image_type(), image_tabs()));
    static DISK: LazyLock<Value> = LazyLock::new(|| with_tabs(disk_type(), disk_tabs()));
    static VG: LazyLock<Value> =
        LazyLock::new(|| with_tabs(volume_group_type(), volume_group_tabs()));
    static SUBNET: LazyLock<Value> = LazyLock::new(|| with_tabs(subnet_type(), subnet_tabs()));
    static CLUSTER: LazyLock<Value> = LazyLock::new(|| with_tabs(cluster_type(), cluster_tabs()));
    match kind {
        ServiceKind::VirtualMachine => &VM,
        ServiceKind::Host => &HOST,
        ServiceKind::Image => &IMAGE,
        ServiceKind::Disk => &DISK,
        ServiceKind::VolumeGroup => &VG,
        ServiceKind::Subnet => &SUBNET,
        ServiceKind::Cluster => &CLUSTER,
    }
}

/// The `metadata` of every CloudService of `kind` (view style B): a reference to its
/// CloudServiceType, whose `metadata.view.sub_data.layouts` hold the detail tabs:
/// `{"view": {"sub_data": {"reference": {"resource_type": "inventory.CloudServiceType",
/// "options": {"provider", "cloud_service_group", "cloud_service_type"}}}}}`.
/// Built once per process.
pub fn service_metadata(kind: ServiceKind) -> &'static Value {
    static VM: LazyLock<Value> = LazyLock::new(|| reference(ServiceKind::VirtualMachine));
    static HOST: LazyLock<Value> = LazyLock::new(|| reference(ServiceKind::Host));
    static IMAGE: LazyLock<Value> = LazyLock::new(|| reference(ServiceKind::Image));
    static DISK: LazyLock<Value> = LazyLock::new(|| reference(ServiceKind::Disk));
    static VG: LazyLock<Value> = LazyLock::new(|| reference(ServiceKind::VolumeGroup));
    static SUBNET: LazyLock<Value> = LazyLock::new(|| reference(ServiceKind::Subnet));
    static CLUSTER: LazyLock<Value> = LazyLock::new(|| reference(ServiceKind::Cluster));
    match kind {
        ServiceKind::VirtualMachine => &VM,
        ServiceKind::Host => &HOST,
        ServiceKind::Image => &IMAGE,
        ServiceKind::Disk => &DISK,
        ServiceKind::VolumeGroup => &VG,
        ServiceKind::Subnet => &SUBNET,
        ServiceKind::Cluster => &CLUSTER,
    }
}

/// The style-B pointer of a CloudService to the type that holds its tabs.
fn reference(kind: ServiceKind) -> Value {
    json!({"view": {"sub_data": {"reference": {
        "resource_type": "inventory.CloudServiceType",
        "options": {
            "provider": PROVIDER,
            "cloud_service_group": kind.group(),
            "cloud_service_type": kind.type_name(),
        },
    }}}})
}

/// Moves the `view.sub_data` of `tabs` into the `view` of the type metadata `ty`.
fn with_tabs(mut ty: Value, mut tabs: Value) -> Value {
    let sub_data = tabs["view"]["sub_data"].take();
    if let Some(view) = ty.get_mut("view").and_then(Value::as_object_mut) {
        view.insert("sub_data".to_owned(), sub_data);
    }
    ty
}

fn type_view(table_fields: &[Field], search: Vec<Value>, widget: Vec<Value>) -> Value {
    json!({"view": {"table": query_search_table(table_fields, "name"), "search": search, "widget": widget}})
}

fn tabs(layouts: Vec<Value>) -> Value {
    json!({"view": {"sub_data": {"layouts": layouts}}})
}

fn categories_tab() -> Value {
    simple_table(
        "Categories",
        "data.categories",
        &[
            Field::text("Category", "key"),
            Field::text("Value", "value"),
        ],
    )
}

fn common_search() -> Vec<Value> {
    vec![
        search("Name", "name", None),
        search("UUID", "reference.resource_id", None),
        search("Prism Central", "account", None),
    ]
}

// --- VirtualMachine -----------------------------------------------------------------------------

fn vm_type() -> Value {
    let fields = [
        Field::enum_badges("Power State", "data.power_state", POWER_COLOURS),
        Field::text("Cluster", "data.cluster.name"),
        Field::text("Host", "data.host.name"),
        Field::text("Instance Type", "instance_type"),
        Field::text("vCPUs", "data.hardware.vcpus"),
        Field::bytes("Memory", "data.hardware.memory_bytes"),
        Field::bytes("Storage", "data.hardware.provisioned_storage_bytes"),
        Field::list("IP Addresses", "ip_addresses", None),
        Field::text("Project", "data.project.name"),
        Field::text("Owner", "data.owner.name").optional(),
        Field::text("Guest OS", "data.guest_os").optional(),
        Field::text("GPUs", "data.hardware.gpu_count").optional(),
        Field::text("UUID", "reference.resource_id").optional(),
        Field::text("Prism Central", "account").optional(),
        Field::datetime("Created", "data.created_at").optional(),
    ];
    let mut s = common_search();
    s.extend([
        search("IP Address", "ip_addresses", None),
        search_enum(
            "Power State",
            "data.power_state",
            &["ON", "OFF", "PAUSED", "UNKNOWN"],
        ),
        search("Cluster", "data.cluster.name", None),
        search("Host", "data.host.name", None),
        search("Project", "data.project.name", None),
        search("Owner", "data.owner.name", None),
        search("Instance Type", "instance_type", None),
        search("vCPUs", "data.hardware.vcpus", Some("integer")),
        search(
            "Memory (bytes)",
            "data.hardware.memory_bytes",
            Some("integer"),
        ),
        search("Created", "data.created_at", Some("datetime")),
    ]);
    let widgets = vec![
        card_count("Total VMs"),
        card_sum("Total vCPUs", "data.hardware.vcpus", false),
        card_sum("Total Memory", "data.hardware.memory_bytes", true),
        card_sum(
            "Provisioned Storage",
            "data.hardware.provisioned_storage_bytes",
            true,
        ),
        chart_count_by("VMs by Cluster", "data.cluster.name", "DONUT"),
        chart_count_by("VMs by Power State", "data.power_state", "DONUT"),
        chart_count_by("VMs by Project", "data.project.name", "COLUMN"),
    ];
    type_view(&fields, s, widgets)
}

fn vm_tabs() -> Value {
    let details = item(
        "Details",
        &[
            Field::text("Name", "name"),
            Field::text("UUID", "reference.resource_id"),
            Field::enum_badges("Power State", "data.power_state", POWER_COLOURS),
            Field::text("Description", "data.description"),
            Field::text("Guest OS", "data.guest_os"),
            Field::text("Hypervisor", "data.hypervisor_type"),
            Field::text("Machine Type", "data.machine_type"),
            Field::text("Boot Type", "data.boot_type"),
            Field::text("Cluster", "data.cluster.name"),
            Field::text("Host", "data.host.name"),
            Field::text("Project", "data.project.name"),
            Field::text("Owner", "data.owner.name"),
            Field::list("IP Addresses", "ip_addresses", None),
            Field::text("Prism Central", "data.nutanix.prism_central"),
            Field::datetime("Created", "data.created_at"),
            Field::datetime("Updated", "data.updated_at"),
        ],
    );
    let hardware = item(
        "Hardware",
        &[
            Field::text("Instance Type", "instance_type"),
            Field::text("vCPUs", "data.hardware.vcpus"),
            Field::text("Sockets", "data.hardware.num_sockets"),
            Field::text("vCPUs per Socket", "data.hardware.vcpus_per_socket"),
            Field::text("Threads per Core", "data.hardware.threads_per_core"),
            Field::bytes("Memory", "data.hardware.memory_bytes"),
            Field::text("GPUs", "data.hardware.gpu_count"),
            Field::bytes(
                "Provisioned Storage",
                "data.hardware.provisioned_storage_bytes",
            ),
            Field::text("Disks", "data.hardware.disk_count"),
            Field::text("NICs", "data.hardware.nic_count"),
        ],
    );
    let disks = table(
        "Disks",
        "data.disks",
        &[
            Field::text("UUID", "uuid"),
            Field::badge("Device Type", "device_type"),
            Field::text("Adapter", "adapter_type"),
            Field::text("Index", "device_index"),
            Field::bytes("Size", "size_bytes"),
            Field::text("Storage Container", "storage_container.name"),
            Field::text("Flash Mode", "flash_mode"),
            Field::text("Source", "data_source.kind"),
        ],
    );
    let nics = table(
        "NICs",
        "data.nics",
        &[
            Field::text("UUID", "uuid"),
            Field::text("MAC Address", "mac_address"),
            Field::text("Subnet", "subnet.name"),
            Field::list("IP Addresses", "ip_addresses", None),
            Field::text("NIC Type", "nic_type"),
            Field::text("VLAN Mode", "vlan_mode"),
            Field::enum_badges(
                "Connected",
                "is_connected",
                &[("true", "green.500"), ("false", "gray.400")],
            ),
        ],
    );
    tabs(vec![details, hardware, disks, nics, categories_tab()])
}

// --- Host ---------------------------------------------------------------------------------------

fn host_type() -> Value {
    let fields = [
        Field::text("Cluster", "data.cluster.name"),
        Field::text("Hypervisor", "data.hypervisor.full_name"),
        Field::text("Hypervisor IP", "data.hypervisor.ip"),
        Field::text("CVM IP", "data.controller_vm_ip"),
        Field::text("CPU Model", "data.cpu_model"),
        Field::text("CPU Cores", "data.num_cpu_cores"),
        Field::bytes("Memory", "data.memory_capacity_bytes"),
        Field::text("VMs", "data.hypervisor.num_vms"),
        Field::text("Serial Number", "data.serial_number").optional(),
        Field::text("Block Model", "data.block.model").optional(),
        Field::text("Host Type", "data.host_type").optional(),
        Field::text("UUID", "reference.resource_id").optional(),
    ];
    let mut s = common_search();
    s.extend([
        search("Cluster", "data.cluster.name", None),
        search("IP Address", "ip_addresses", None),
        search("Serial Number", "data.serial_number", None),
        search("CPU Model", "data.cpu_model", None),
    ]);
    let widgets = vec![
        card_count("Total Hosts"),
        card_sum("Total CPU Cores", "data.num_cpu_cores", false),
        card_sum("Total Memory", "data.memory_capacity_bytes", true),
        chart_count_by("Hosts by Cluster", "data.cluster.name", "DONUT"),
    ];
    type_view(&fields, s, widgets)
}

fn host_tabs() -> Value {
    let details = item(
        "Details",
        &[
            Field::text("Name", "name"),
            Field::text("UUID", "reference.resource_id"),
            Field::text("Cluster", "data.cluster.name"),
            Field::text("Host Type", "data.host_type"),
            Field::text("Serial Number", "data.serial_number"),
            Field::text("Block Model", "data.block.model"),
            Field::text("Block Serial", "data.block.serial_number"),
            Field::text("Hypervisor", "data.hypervisor.full_name"),
            Field::text("Hypervisor IP", "data.hypervisor.ip"),
            Field::text("CVM IP", "data.controller_vm_ip"),
            Field::text("IPMI IP", "data.ipmi_ip"),
            Field::text("VMs", "data.hypervisor.num_vms"),
        ],
    );
    let hardware = item(
        "Hardware",
        &[
            Field::text("CPU Model", "data.cpu_model"),
            Field::text("CPU Sockets", "data.num_cpu_sockets"),
            Field::text("CPU Cores", "data.num_cpu_cores"),
            Field::text("CPU Capacity (Hz)", "data.cpu_capacity_hz"),
            Field::bytes("Memory", "data.memory_capacity_bytes"),
            Field::text("GPUs", "data.gpu_count"),
        ],
    );
    tabs(vec![details, hardware, categories_tab()])
}

// --- Image --------------------------------------------------------------------------------------

fn image_type() -> Value {
    let fields = [
        Field::badge("Image Type", "data.image_type"),
        Field::bytes("Size", "data.size_bytes"),
        Field::text("Architecture", "data.architecture"),
        Field::list("Clusters", "data.clusters", Some("name")),
        Field::text("Source URI", "data.source_uri").optional(),
        Field::text("UUID", "reference.resource_id").optional(),
        Field::datetime("Created", "data.created_at").optional(),
    ];
    let mut s = common_search();
    s.extend([
        search_enum(
            "Image Type",
            "data.image_type",
            &["DISK_IMAGE", "ISO_IMAGE"],
        ),
        search("Size (bytes)", "data.size_bytes", Some("integer")),
    ]);
    let widgets = vec![
        card_count("Total Images"),
        card_sum("Total Size", "data.size_bytes", true),
        chart_count_by("Images by Type", "data.image_type", "DONUT"),
    ];
    type_view(&fields, s, widgets)
}

fn image_tabs() -> Value {
    let details = item(
        "Details",
        &[
            Field::text("Name", "name"),
            Field::text("UUID", "reference.resource_id"),
            Field::text("Description", "data.description"),
            Field::badge("Image Type", "data.image_type"),
            Field::bytes("Size", "data.size_bytes"),
            Field::text("Architecture", "data.architecture"),
            Field::text("Source URI", "data.source_uri"),
            Field::text("Checksum Algorithm", "data.checksum.algorithm"),
            Field::text("Checksum", "data.checksum.value"),
            Field::text("Product", "data.version.product_name"),
            Field::text("Product Version", "data.version.product_version"),
            Field::datetime("Created", "data.created_at"),
            Field::datetime("Updated", "data.updated_at"),
        ],
    );
    let clusters = simple_table(
        "Clusters",
        "data.clusters",
        &[Field::text("Cluster", "name"), Field::text("UUID", "uuid")],
    );
    tabs(vec![details, clusters, categories_tab()])
}

// --- Disk ---------------------------------------------------------------------------------------

fn disk_type() -> Value {
    let fields = [
        Field::text("VM", "data.vm.name"),
        Field::bytes("Size", "data.size_bytes"),
        Field::text("Adapter", "data.adapter_type"),
        Field::text("Index", "data.device_index"),
        Field::text("Storage Container", "data.storage_container.name"),
        Field::text("Cluster", "data.cluster.name"),
        Field::text("Flash Mode", "data.flash_mode").optional(),
        Field::text("UUID", "reference.resource_id").optional(),
    ];
    let mut s = common_search();
    s.extend([
        search("VM", "data.vm.name", None),
        search("VM UUID", "data.vm.uuid", None),
        search("Storage Container", "data.storage_container.name", None),
        search("Cluster", "data.cluster.name", None),
        search("Size (bytes)", "data.size_bytes", Some("integer")),
    ]);
    let widgets = vec![
        card_count("Total Disks"),
        card_sum("Total Size", "data.size_bytes", true),
        chart_count_by(
            "Disks by Storage Container",
            "data.storage_container.name",
            "DONUT",
        ),
    ];
    type_view(&fields, s, widgets)
}

fn disk_tabs() -> Value {
    tabs(vec![item(
        "Details",
        &[
            Field::text("Name", "name"),
            Field::text("UUID", "reference.resource_id"),
            Field::text("VM", "data.vm.name"),
            Field::text("VM UUID", "data.vm.uuid"),
            Field::badge("Device Type", "data.device_type"),
            Field::text("Adapter", "data.adapter_type"),
            Field::text("Index", "data.device_index"),
            Field::bytes("Size", "data.size_bytes"),
            Field::text("Storage Container", "data.storage_container.name"),
            Field::text("Flash Mode", "data.flash_mode"),
            Field::text("Source Kind", "data.data_source.kind"),
            Field::text("Source UUID", "data.data_source.uuid"),
            Field::text("Cluster", "data.cluster.name"),
        ],
    )])
}

// --- VolumeGroup --------------------------------------------------------------------------------

fn volume_group_type() -> Value {
    let fields = [
        Field::bytes("Size", "data.size_bytes"),
        Field::text("Disks", "data.disk_count"),
        Field::badge("Sharing", "data.sharing_status"),
        Field::text("Usage Type", "data.usage_type"),
        Field::text("Cluster", "data.cluster.name"),
        Field::list("Attached VMs", "data.attachments", Some("vm.name")),
        Field::text("UUID", "reference.resource_id").optional(),
    ];
    let mut s = common_search();
    s.extend([
        search("Cluster", "data.cluster.name", None),
        search("Usage Type", "data.usage_type", None),
    ]);
    let widgets = vec![
        card_count("Total Volume Groups"),
        card_sum("Total Size", "data.size_bytes", true),
        chart_count_by("Volume Groups by Cluster", "data.cluster.name", "DONUT"),
    ];
    type_view(&fields, s, widgets)
}

fn volume_group_tabs() -> Value {
    let details = item(
        "Details",
        &[
            Field::text("Name", "name"),
            Field::text("UUID", "reference.resource_id"),
            Field::text("Description", "data.description"),
            Field::bytes("Size", "data.size_bytes"),
            Field::badge("Sharing", "data.sharing_status"),
            Field::text("Usage Type", "data.usage_type"),
            Field::text("Flash Mode", "data.flash_mode"),
            Field::text("iSCSI Target Prefix", "data.iscsi_target_prefix"),
            Field::text("Cluster", "data.cluster.name"),
        ],
    );
    let disks = table(
        "Disks",
        "data.disks",
        &[
            Field::text("UUID", "uuid"),
            Field::text("Index", "index"),
            Field::bytes("Size", "size_bytes"),
            Field::text("Storage Container", "storage_container_uuid"),
        ],
    );
    let attachments = table(
        "Attachments",
        "data.attachments",
        &[
            Field::text("VM", "vm.name"),
            Field::text("VM UUID", "vm.uuid"),
            Field::text("iSCSI Initiator", "iscsi_initiator_name"),
        ],
    );
    tabs(vec![details, disks, attachments, categories_tab()])
}

// --- Subnet -------------------------------------------------------------------------------------

fn subnet_type() -> Value {
    let fields = [
        Field::badge("Type", "data.subnet_type"),
        Field::text("VLAN", "data.vlan_id"),
        Field::text("CIDR", "data.ip_config.cidr"),
        Field::text("Gateway", "data.ip_config.default_gateway_ip"),
        Field::text("Cluster", "data.cluster.name"),
        Field::text("VPC", "data.vpc.name"),
        Field::text("Virtual Switch", "data.vswitch_name").optional(),
        Field::enum_badges(
            "External",
            "data.is_external",
            &[("true", "indigo.500"), ("false", "gray.400")],
        )
        .optional(),
        Field::text("UUID", "reference.resource_id").optional(),
    ];
    let mut s = common_search();
    s.extend([
        search_enum("Type", "data.subnet_type", &["VLAN", "OVERLAY"]),
        search("VLAN", "data.vlan_id", Some("integer")),
        search("CIDR", "data.ip_config.cidr", None),
        search("Cluster", "data.cluster.name", None),
    ]);
    let widgets = vec![
        card_count("Total Subnets"),
        chart_count_by("Subnets by Type", "data.subnet_type", "DONUT"),
        chart_count_by("Subnets by Cluster", "data.cluster.name", "COLUMN"),
    ];
    type_view(&fields, s, widgets)
}

fn subnet_tabs() -> Value {
    let details = item(
        "Details",
        &[
            Field::text("Name", "name"),
            Field::text("UUID", "reference.resource_id"),
            Field::badge("Type", "data.subnet_type"),
            Field::text("VLAN", "data.vlan_id"),
            Field::text("Virtual Switch", "data.vswitch_name"),
            Field::text("VPC", "data.vpc.name"),
            Field::text("External", "data.is_external"),
            Field::text("NAT", "data.enable_nat"),
            Field::text("Cluster", "data.cluster.name"),
        ],
    );
    let ip = item(
        "IP Configuration",
        &[
            Field::text("CIDR", "data.ip_config.cidr"),
            Field::text("Gateway", "data.ip_config.default_gateway_ip"),
            Field::text("DHCP Server", "data.ip_config.dhcp_server_ip"),
            Field::list("DNS Servers", "data.ip_config.dns_servers", None),
            Field::list("IP Pools", "data.ip_config.pools", None),
            Field::text("Assigned IPs", "data.ip_usage.num_assigned_ips"),
            Field::text("Free IPs", "data.ip_usage.num_free_ips"),
            Field::text("MAC Addresses", "data.ip_usage.num_macs"),
        ],
    );
    tabs(vec![details, ip, categories_tab()])
}

// --- Cluster ------------------------------------------------------------------------------------

fn cluster_type() -> Value {
    let fields = [
        Field::text("Version", "data.version"),
        Field::text("Nodes", "data.node_count"),
        Field::list("Hypervisors", "data.hypervisor_types", None),
        Field::text("External IP", "data.external_ip"),
        Field::text("Redundancy Factor", "data.redundancy_factor").optional(),
        Field::text("Architecture", "data.cluster_arch").optional(),
        Field::text("Timezone", "data.timezone").optional(),
        Field::text("UUID", "reference.resource_id").optional(),
    ];
    let mut s = common_search();
    s.extend([
        search("Version", "data.version", None),
        search("External IP", "data.external_ip", None),
    ]);
    let widgets = vec![
        card_count("Total Clusters"),
        card_sum("Total Nodes", "data.node_count", false),
        chart_count_by("Clusters by Version", "data.version", "DONUT"),
    ];
    type_view(&fields, s, widgets)
}

fn cluster_tabs() -> Value {
    let details = item(
        "Details",
        &[
            Field::text("Name", "name"),
            Field::text("UUID", "reference.resource_id"),
            Field::text("Version", "data.version"),
            Field::text("Full Version", "data.full_version"),
            Field::text("Nodes", "data.node_count"),
            Field::list("Hypervisors", "data.hypervisor_types", None),
            Field::list("Services", "data.service_list", None),
            Field::text("Redundancy Factor", "data.redundancy_factor"),
            Field::text("Operation Mode", "data.operation_mode"),
            Field::text("Architecture", "data.cluster_arch"),
            Field::text("Timezone", "data.timezone"),
            Field::text("Encryption", "data.encryption_status"),
        ],
    );
    let network = item(
        "Network",
        &[
            Field::text("External IP", "data.external_ip"),
            Field::text("Data Services IP", "data.external_data_services_ip"),
            Field::text("FQDN", "data.fqdn"),
            Field::list("Name Servers", "data.name_servers", None),
            Field::list("NTP Servers", "data.ntp_servers", None),
        ],
    );
    let software = table(
        "Software",
        "data.software",
        &[
            Field::text("Software", "software_type"),
            Field::text("Version", "version"),
            Field::badge("Status", "status"),
        ],
    );
    tabs(vec![details, network, software])
}
