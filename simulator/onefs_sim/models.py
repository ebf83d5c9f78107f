"""Default values and accepted fields of every simulated resource (names follow the OneFS SDK)."""
import copy

DEFAULT_MANGLE_MAP = ["0x01-0x1F:-1", "0x22:-1", "0x2A:-1", "0x3A:-1", "0x3C:-1", "0x3E:-1",
                      "0x3F:-1", "0x5C:-1"]

EVERYONE_READ = {"permission": "read", "permission_type": "allow",
                 "trustee": {"id": "SID:S-1-1-0", "name": "Everyone", "type": "wellknown"}}

SHARE_DEFAULTS = {
    "access_based_enumeration": False,
    "access_based_enumeration_root_only": False,
    "allow_delete_readonly": False,
    "allow_execute_always": False,
    "allow_variable_expansion": False,
    "auto_create_directory": False,
    "browsable": True,
    "ca_timeout": 120,
    "ca_write_integrity": "write-read-coherent",
    "change_notify": "norecurse",
    "continuously_available": False,
    "create_permissions": "default acl",
    "csc_policy": "manual",
    "description": "",
    "directory_create_mask": 448,
    "directory_create_mode": 0,
    "file_create_mask": 448,
    "file_create_mode": 64,
    "file_filter_extensions": [],
    "file_filter_type": "deny",
    "file_filtering_enabled": False,
    "hide_dot_files": False,
    "host_acl": [],
    "impersonate_guest": "never",
    "impersonate_user": "",
    "inheritable_path_acl": False,
    "mangle_byte_start": 60672,
    "mangle_map": DEFAULT_MANGLE_MAP,
    "ntfs_acl_support": True,
    "oplocks": True,
    "permissions": [EVERYONE_READ],
    "run_as_root": [],
    "smb3_encryption_enabled": False,
    "sparse_file": False,
    "strict_ca_lockout": True,
    "strict_flush": True,
    "strict_locking": False,
}
SHARE_ENUMS = {
    "ca_write_integrity": ("none", "write-read-coherent", "full"),
    "change_notify": ("all", "norecurse", "none"),
    "create_permissions": ("default acl", "inherit mode bits", "use create mask and mode"),
    "csc_policy": ("manual", "documents", "programs", "none"),
    "file_filter_type": ("deny", "allow"),
    "impersonate_guest": ("always", "bad user", "never"),
}
SHARE_INT_RANGES = {
    "ca_timeout": (2, 6000), "directory_create_mask": (0, 511), "directory_create_mode": (0, 511),
    "file_create_mask": (0, 511), "file_create_mode": (0, 511), "mangle_byte_start": (256, 65535),
}
SHARE_CREATE_FIELDS = set(SHARE_DEFAULTS) | {"name", "path", "create_path", "zone"}
SHARE_PUT_FIELDS = set(SHARE_DEFAULTS) | {"name", "path", "zone"}

ZONE_DEFAULTS = {
    "alternate_system_provider": "lsa-file-provider:System",
    "auth_providers": [],
    "cache_entry_expiry": 14400,
    "create_path": False,
    "force_overlap": False,
    "groupnet": "groupnet0",
    "home_directory_umask": 63,
    "ifs_restricted": [],
    "map_untrusted": "",
    "negative_cache_entry_expiry": 60,
    "netbios_name": "",
    "skeleton_directory": "/usr/share/skel",
    "system_provider": "lsa-file-provider:System",
    "user_mapping_rules": [],
}
ZONE_CREATE_FIELDS = set(ZONE_DEFAULTS) | {"name", "path"}
ZONE_WRITE_ONLY = {"force_overlap"}  # accepted on create, never shown by GET (no SDK read model has it)
ZONE_PUT_FIELDS = (set(ZONE_DEFAULTS) - {"groupnet"}) | {"name", "path"}

NFS_USER_MAP = {"enabled": False, "primary_group": {}, "secondary_groups": [],
                "user": {"id": "USER:nobody"}}
EXPORT_DEFAULTS = {
    "all_dirs": False,
    "block_size": 8192,
    "can_set_time": True,
    "case_insensitive": False,
    "case_preserving": True,
    "chown_restricted": False,
    "clients": [],
    "commit_asynchronous": False,
    "description": "",
    "directory_transfer_size": 131072,
    "encoding": "DEFAULT",
    "link_max": 32767,
    "map_all": NFS_USER_MAP,
    "map_failure": NFS_USER_MAP,
    "map_full": True,
    "map_lookup_uid": False,
    "map_non_root": NFS_USER_MAP,
    "map_retry": True,
    "map_root": {"enabled": True, "primary_group": {}, "secondary_groups": [], "user": {"id": "USER:nobody"}},
    "max_file_size": 9223372036854775807,
    "name_max_size": 255,
    "no_truncate": False,
    "read_only": False,
    "read_only_clients": [],
    "read_transfer_max_size": 1048576,
    "read_transfer_multiple": 512,
    "read_transfer_size": 131072,
    "read_write_clients": [],
    "readdirplus": True,
    "readdirplus_prefetch": 10,
    "return_32bit_file_ids": False,
    "root_clients": [],
    "security_flavors": ["unix"],
    "setattr_asynchronous": False,
    "snapshot": "-",
    "symlinks": True,
    "time_delta": 1e-09,
    "write_datasync_action": "datasync",
    "write_datasync_reply": "datasync",
    "write_filesync_action": "filesync",
    "write_filesync_reply": "filesync",
    "write_transfer_max_size": 1048576,
    "write_transfer_multiple": 512,
    "write_transfer_size": 524288,
    "write_unstable_action": "unstable",
    "write_unstable_reply": "unstable",
}
EXPORT_CREATE_FIELDS = set(EXPORT_DEFAULTS) | {"paths", "zone"}
EXPORT_PUT_FIELDS = EXPORT_CREATE_FIELDS

ALIAS_CREATE_FIELDS = {"name", "path", "zone"}
ALIAS_PUT_FIELDS = {"name", "path", "zone"}

SMB_SETTINGS_DEFAULTS = {
    "access_based_share_enum": False, "audit_fileshare": "none", "audit_logon": "none",
    "dot_snap_accessible_child": True, "dot_snap_accessible_root": True, "dot_snap_visible_child": False,
    "dot_snap_visible_root": True, "enable_security_signatures": False, "guest_user": "nobody",
    "ignore_eas": False, "onefs_cpu_multiplier": 4, "onefs_num_workers": 0,
    "reject_unencrypted_access": True, "require_security_signatures": False, "server_side_copy": True,
    "server_string": "PowerScale Server", "service": True, "srv_cpu_multiplier": 4, "srv_num_workers": 0,
    "support_multichannel": True, "support_netbios": False, "support_smb2": True,
    "support_smb3_encryption": False,
}
NFS_SETTINGS_DEFAULTS = {
    "nfsv3_enabled": True, "nfsv3_rdma_enabled": False, "nfsv40_enabled": False, "nfsv41_enabled": False,
    "nfsv42_enabled": False, "nfsv4_enabled": False, "rpc_maxthreads": 16, "rpc_minthreads": 16,
    "rquota_enabled": False, "service": True,
}
SYNC_SETTINGS_DEFAULTS = {
    "bandwidth_reservation_reserve_absolute": 1, "bandwidth_reservation_reserve_percentage": 1,
    "cluster_certificate_id": "", "encryption_cipher_list": "", "encryption_required": False,
    "force_interface": False, "max_concurrent_jobs": 50, "ocsp_address": "", "ocsp_issuer_certificate_id": "",
    "password_set": False, "preferred_rpo_alert": 0, "renegotiation_period": 28800, "report_email": [],
    "report_max_age": 31536000, "report_max_count": 2000, "restrict_target_network": False,
    "rpo_alerts": True, "service": "on", "service_history_max_age": 31536000,
    "service_history_max_count": 2000, "tw_chkpt_interval": 0, "use_workers_per_node": False,
}
DEDUPE_DEFAULTS = {"assess_paths": [], "dedupe_schedule": "", "paths": []}

POLICY_DEFAULTS = {
    "accelerated_failback": False,
    "action": "sync",
    "allow_copy_fb": False,
    "bandwidth_reservation": 0,
    "changelist": False,
    "check_integrity": True,
    "cloud_deep_copy": "deny",
    "conflicted": False,
    "database_mirrored": False,
    "delete_quotas": True,
    "description": "",
    "disable_file_split": False,
    "disable_fofb": False,
    "disable_quota_tmp_dir": False,
    "disable_stf": False,
    "enable_hash_tmpdir": False,
    "enabled": True,
    "encrypted": False,
    "encryption_cipher_list": "",
    "expected_dataloss": False,
    "file_matching_pattern": {"or_criteria": []},
    "force_interface": False,
    "has_sync_state": False,
    "ignore_recursive_quota": False,
    "job_delay": 0,
    "last_job_state": None,
    "last_started": None,
    "last_success": None,
    "linked_service_policies": [],
    "log_level": "notice",
    "log_removed_files": False,
    "next_run": None,
    "ocsp_address": "",
    "ocsp_issuer_certificate_id": "",
    "password_set": False,
    "priority": 0,
    "report_max_age": 31536000,
    "report_max_count": 2000,
    "restrict_target_network": False,
    "rpo_alert": 0,
    "schedule": "",
    "service_policy": False,
    "skip_lookup": False,
    "skip_when_source_unmodified": False,
    "snapshot_sync_existing": False,
    "snapshot_sync_pattern": "*",
    "source_certificate_id": "",
    "source_domain_marked": False,
    "source_exclude_directories": [],
    "source_include_directories": [],
    "source_network": None,
    "source_snapshot_archive": False,
    "source_snapshot_expiration": 0,
    "source_snapshot_pattern": "",
    "sync_existing_snapshot_expiration": False,
    "sync_existing_target_snapshot_pattern": "%{SnapName}-%{SnapCreateTime}",
    "target_certificate_id": "",
    "target_compare_initial_sync": False,
    "target_detect_modifications": True,
    "target_snapshot_alias": "SIQ-%{SrcCluster}-%{PolicyName}-latest",
    "target_snapshot_archive": False,
    "target_snapshot_expiration": 0,
    "target_snapshot_pattern": "SIQ-%{SrcCluster}-%{PolicyName}-%Y-%m-%d_%H-%M-%S",
    "workers_per_node": 3,
}
POLICY_READONLY = {"conflicted", "has_sync_state", "last_job_state", "last_started", "last_success",
                   "next_run", "password_set", "service_policy", "database_mirrored", "source_domain_marked"}
POLICY_CREATE_FIELDS = (set(POLICY_DEFAULTS) - POLICY_READONLY) | {
    "name", "source_root_path", "target_host", "target_path", "password"}
POLICY_PUT_FIELDS = POLICY_CREATE_FIELDS
POLICY_ENUMS = {"action": ("copy", "sync"), "cloud_deep_copy": ("deny", "allow", "force"),
                "log_level": ("fatal", "error", "notice", "info", "copy", "debug", "trace")}

TARGET_POLICY_DEFAULTS = {
    "failover_failback_state": "writes_disabled",
    "last_job_state": "unknown",
    "last_source_coordinator_ip": "127.0.0.1",
    "last_update_from_source": 0,
    "legacy_policy": False,
}

POOL_DEFAULTS = {
    "access_zone": "System",
    "addr_family": "ipv4",
    "aggregation_mode": "lacp",
    "alloc_method": "static",
    "description": "",
    "firewall_policy": "default_pools_policy",
    "ifaces": [],
    "ipv6_perform_dad": False,
    "nfsv3_rroce_only": False,
    "ranges": [],
    "rebalance_policy": "auto",
    "rules": [],
    "sc_auto_unsuspend_delay": 0,
    "sc_connect_policy": "round_robin",
    "sc_dns_zone": "",
    "sc_dns_zone_aliases": [],
    "sc_failover_policy": "round_robin",
    "sc_subnet": "",
    "sc_suspended_nodes": [],
    "sc_ttl": 0,
    "static_routes": [],
}
POOL_WRITABLE = set(POOL_DEFAULTS) - {"addr_family", "rules", "sc_suspended_nodes"}

# Fields that exist only in some handler versions of a resource (read from the SDK models of each
# release: a field is shown from `since` to `until` inclusive; `source` is the stored field it
# shows, for renamed fields; `default` fills objects stored before the field existed).
VERSIONED_FIELDS = {
    "pool": {
        "sc_auto_unsuspend_delay": {"until": 17, "default": 0},
        "nfsv3_rroce_only": {"until": 18, "default": False},
        "external_manager": {"since": 18, "default": ""},
        "nfs_rroce_only": {"since": 19, "source": "nfsv3_rroce_only", "default": False},
        "linklayer": {"since": 21, "default": "ethernet"},
        "firewall_policy": {"default": "default_pools_policy"},
    },
    "subnet": {
        "linklayer": {"since": 21, "default": "ethernet"},
        "firewall_policy": {"default": "default_subnets_policy"},
    },
    "nfs_settings": {
        "nfsv3_rdma_enabled": {"until": 18, "default": False},
        "nfs_rdma_enabled": {"since": 19, "source": "nfsv3_rdma_enabled", "default": False},
    },
    "cluster_config": {
        "availability_zone": {"since": 17, "default": ""},
        "is_powerscale_ve": {"since": 17, "default": False},
        "node_id": {"since": 17, "default": "1"},
        "region": {"since": 17, "default": ""},
    },
}


def versioned(kind, obj, version):
    """obj as handler `version` of resource `kind` shows it (a new dict)."""
    out = dict(obj)
    for name, rule in VERSIONED_FIELDS[kind].items():
        source = rule.get("source", name)
        value = obj.get(source, rule.get("default"))
        if rule.get("since", 0) <= version <= rule.get("until", 10 ** 6):
            out[name] = copy.deepcopy(value)
        else:
            out.pop(name, None)
    return out


def versioned_input(kind, body):
    """A request body with renamed fields mapped back to the stored names."""
    out = dict(body)
    for name, rule in VERSIONED_FIELDS[kind].items():
        source = rule.get("source")
        if source and name in out:
            out[source] = out.pop(name)
    return out
POOL_CREATE_FIELDS = POOL_WRITABLE | {"name", "nfs_rroce_only", "external_manager", "linklayer"}
POOL_PUT_FIELDS = POOL_CREATE_FIELDS

SUBNET_DEFAULTS = {
    "addr_family": "ipv4", "base_addr": "192.0.2.0", "description": "", "dsr_addrs": [],
    "firewall_policy": "default_subnets_policy", "gateway": "",
    "gateway_priority": 10, "mtu": 1500, "prefixlen": 24, "sc_service_addrs": [], "sc_service_name": "",
    "vlan_enabled": False, "vlan_id": None,
}
SUBNET_CREATE_FIELDS = (set(SUBNET_DEFAULTS) - {"addr_family"}) | {"name", "addr_family", "linklayer"}
SUBNET_PUT_FIELDS = SUBNET_CREATE_FIELDS

GROUPNET_DEFAULTS = {
    "allow_wildcard_subdomains": True, "description": "", "dns_cache_enabled": True, "dns_options": [],
    "dns_search": [], "dns_servers": [], "server_side_dns_search": True,
}
GROUPNET_CREATE_FIELDS = set(GROUPNET_DEFAULTS) | {"name"}
GROUPNET_PUT_FIELDS = GROUPNET_CREATE_FIELDS

ADS_DEFAULTS = {
    "allocate_gids": True, "allocate_uids": True, "assume_default_domain": False, "authentication": True,
    "check_online_interval": 300, "controller_time": 0, "create_home_directory": False,
    "domain_offline_alerts": False, "extra_expected_spns": [], "findable_groups": [], "findable_users": [],
    "groupnet": "groupnet0", "home_directory_template": "/ifs/home/%D/%U", "ignore_all_trusts": False,
    "ignored_trusted_domains": [], "include_trusted_domains": [], "instance": "", "ldap_sign_and_seal": False,
    "login_shell": "/bin/zsh", "lookup_domains": [], "lookup_groups": True, "lookup_normalize_groups": True,
    "lookup_normalize_users": True, "lookup_users": True, "machine_password_changes": True,
    "machine_password_lifespan": 2592000, "node_dc_affinity": "", "node_dc_affinity_timeout": 0,
    "nss_enumeration": False, "restrict_findable": True, "rpc_call_timeout": 30, "server_retry_limit": 5,
    "sfu_support": "none", "store_sfu_mappings": False, "unfindable_groups": [], "unfindable_users": [],
}
ADS_PUT_FIELDS = (set(ADS_DEFAULTS) - {"groupnet", "instance"}) | {
    "spns", "user", "password", "domain_controller", "reset_schannel", "machine_account"}

QUOTA_TYPES = ("directory", "user", "group", "default-directory", "default-user", "default-group")
QUOTA_CREATE_FIELDS = {"container", "description", "enforced", "force", "ignore_limit_checks",
                       "include_snapshots", "labels", "path", "persona", "thresholds",
                       "thresholds_include_overhead", "thresholds_on", "type"}
QUOTA_PUT_FIELDS = {"container", "description", "enforced", "force", "ignore_limit_checks", "labels",
                    "linked", "thresholds", "thresholds_include_overhead", "thresholds_on"}
QUOTA_WRITE_ONLY = {"thresholds_include_overhead"}  # create/PUT field absent from every SDK read model
QUOTA_THRESHOLD_FIELDS = ("advisory", "hard", "soft", "soft_grace", "percent_advisory", "percent_soft")

SCHEDULE_CREATE_FIELDS = {"alias", "duration", "name", "path", "pattern", "schedule"}
SCHEDULE_PUT_FIELDS = SCHEDULE_CREATE_FIELDS

SYNC_JOB_CREATE_FIELDS = {"id", "action", "log_level", "source_snapshot", "workers_per_node"}

REPORT_INT_FIELDS = (
    "ads_streams_replicated", "block_specs_replicated", "bytes_recoverable", "bytes_transferred",
    "char_specs_replicated", "committed_files", "corrected_lins", "directories_replicated", "dirs_changed",
    "dirs_deleted", "dirs_moved", "dirs_new", "error_checksum_files_skipped", "error_io_files_skipped",
    "error_net_files_skipped", "failed_chunks", "fifos_replicated", "file_data_bytes", "files_changed",
    "files_linked", "files_new", "files_selected", "files_transferred", "files_unlinked",
    "files_with_ads_replicated", "flipped_lins", "hard_links_replicated", "hash_exceptions_fixed",
    "hash_exceptions_found", "lins_total", "network_bytes_to_source", "network_bytes_to_target",
    "new_files_replicated", "num_retransmitted_files", "quotas_deleted", "regular_files_replicated",
    "resynced_lins", "retry", "running_chunks", "sockets_replicated", "source_bytes_recovered",
    "source_directories_created", "source_directories_deleted", "source_directories_linked",
    "source_directories_unlinked", "source_directories_visited", "source_files_deleted",
    "source_files_linked", "source_files_unlinked", "sparse_data_bytes", "subreport_count",
    "succeeded_chunks", "symlinks_replicated", "target_bytes_recovered", "target_directories_created",
    "target_directories_deleted", "target_directories_linked", "target_directories_unlinked",
    "target_files_deleted", "target_files_linked", "target_files_unlinked", "total_chunks",
    "total_data_bytes", "total_files", "total_network_bytes", "total_phases", "unchanged_data_bytes",
    "up_to_date_files_skipped", "updated_files_replicated", "user_conflict_files_skipped",
    "worm_committed_file_conflicts",
)

WELLKNOWN = [
    {"id": "SID:S-1-1-0", "name": "Everyone", "type": "wellknown"},
    {"id": "SID:S-1-5-11", "name": "Authenticated Users", "type": "wellknown"},
    {"id": "SID:S-1-3-0", "name": "Creator Owner", "type": "wellknown"},
    {"id": "SID:S-1-5-32-544", "name": "Administrators", "type": "group"},
    {"id": "SID:S-1-5-32-545", "name": "Users", "type": "group"},
    {"id": "UID:0", "name": "root", "type": "user"},
    {"id": "UID:65534", "name": "nobody", "type": "user"},
]


def with_defaults(defaults, values):
    """A new dict: deep copies of defaults overlaid by values (also copied)."""
    out = copy.deepcopy(defaults)
    out.update(copy.deepcopy(values))
    return out
