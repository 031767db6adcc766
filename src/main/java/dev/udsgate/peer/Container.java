package dev.udsgate.peer;

import java.util.Optional;

/**
 * The container a process runs in, as its cgroup path or its mounts name it.
 *
 * @param runtime {@code docker}, {@code podman}, {@code containerd} or {@code cri-o}; empty where
 *     the path does not say (Kubernetes with the cgroupfs driver)
 * @param id the container's id (64 hex digits), when named
 * @param podUid the Kubernetes pod's UID, when the process runs in a pod
 */
public record Container(Optional<String> runtime, Optional<String> id, Optional<String> podUid) {}
