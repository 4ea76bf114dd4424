import { DEFAULT_PUSHGATEWAY_URL } from '../lambda-src/contract';
import { pushgatewayUrlProblem } from '../lambda-src/pushgateway';

/** A Pushgateway the in-cluster scripts push to: one this project installs, or one that exists. */
export interface IPushgateway {
  /** Base URL from inside the cluster, e.g. `http://prometheus-prometheus-pushgateway.monitoring:9091`. */
  readonly url: string;
}

/** References to a Pushgateway this project does not install. */
export class Pushgateway {
  /** The plain `prometheus` chart's own Pushgateway, in namespace `monitoring`. */
  static readonly CHART_DEFAULT: IPushgateway = Pushgateway.fromUrl(DEFAULT_PUSHGATEWAY_URL);

  /** An existing Pushgateway, by its base URL (checked: http(s), no whitespace, query or fragment). */
  static fromUrl(url: string): IPushgateway {
    const problem = pushgatewayUrlProblem(url);
    if (problem) throw new Error(`Pushgateway URL '${url}' ${problem}`);
    return { url };
  }

  private constructor() {}
}
