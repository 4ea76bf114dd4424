import { CronJobV1SpecJobTemplateSpecTemplateSpecVolume } from '@cdktf/provider-kubernetes/lib/cron-job-v1';
import { Duration } from '../inventory/duration';

/**
 * A read-only volume of a bundled script's pod, mounted as files. Made only by the factories, so
 * every volume names exactly one source.
 */
export class ScriptVolume {
  /** A ConfigMap's keys as files (pass the ConfigMap's `metadata.name` so Terraform creates it first). */
  static fromConfigMap(name: string, mountPath: string, configMapName: string): ScriptVolume {
    return new ScriptVolume(name, mountPath, { name, configMap: { name: configMapName, defaultMode: '0444' } });
  }

  /** A Secret's keys as files, readable by the container's group only. */
  static fromSecret(name: string, mountPath: string, secretName: string): ScriptVolume {
    return new ScriptVolume(name, mountPath, { name, secret: { secretName, defaultMode: '0440' } });
  }

  /**
   * A projected ServiceAccount token for this audience only, as file `token`: the pod gets no other,
   * and the kubelet renews it before `expiration`.
   */
  static fromServiceAccountToken(name: string, mountPath: string, token: { readonly audience: string; readonly expiration: Duration }): ScriptVolume {
    return new ScriptVolume(name, mountPath, {
      name,
      projected: [
        {
          defaultMode: '0440',
          sources: [{ serviceAccountToken: { audience: token.audience, expirationSeconds: token.expiration.toSeconds(), path: 'token' } }],
        },
      ],
    });
  }

  private constructor(
    readonly name: string,
    readonly mountPath: string,
    /** The pod spec's `volume` entry. */
    readonly podVolume: CronJobV1SpecJobTemplateSpecTemplateSpecVolume,
  ) {}

  /** The container's `volumeMount` entry: always read-only. */
  get volumeMount(): { name: string; mountPath: string; readOnly: true } {
    return { name: this.name, mountPath: this.mountPath, readOnly: true };
  }
}
