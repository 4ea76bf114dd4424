/**
 * The Kubernetes restricted Pod Security Standard, as this project's pods wear it: non-root, no
 * privilege escalation, all capabilities dropped, read-only root filesystem, seccomp RuntimeDefault.
 */

/** Pod-level security context for user (and group) `uid`; `fsGroup` lets it read 0440 Secret files. */
export function restrictedPodSecurityContext(uid: number) {
  return {
    runAsNonRoot: true,
    runAsUser: String(uid),
    runAsGroup: String(uid),
    fsGroup: String(uid),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level security context. */
export function restrictedContainerSecurityContext() {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
