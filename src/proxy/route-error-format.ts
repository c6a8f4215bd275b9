import type { ErrorFormat, ProviderConfig, ProvidersConfig } from '../config/index.js';
import type { Project } from '../store/index.js';
import { endpointOf } from './route-policy.js';

/**
 * Decides the error shape of a request from its route, so that a client gets errors its SDK understands
 * whichever project's token it holds: an Anthropic client calling `/v1/messages` with the token of an OpenAI
 * project gets Anthropic's shape. Built once at start; consulted only when the proxy answers with an error.
 */
export class RouteErrorFormats {
  private readonly providers: readonly ProviderConfig[];
  private readonly uniform: ErrorFormat | undefined;

  constructor(private readonly config: ProvidersConfig) {
    this.providers = [...config.providers.values()];
    const formats = new Set(this.providers.map((provider) => provider.errorFormat));
    this.uniform = formats.size === 1 ? [...formats][0] : undefined;
  }

  /**
   * The format of every provider that serves the path, when they agree; otherwise (a path several kinds of
   * provider serve, like `/v1/models`, or one none serves) that of the token's project's provider once the
   * token is known, else OpenAI's.
   */
  formatOf(path: string, project: Project | undefined): ErrorFormat {
    if (this.uniform !== undefined) return this.uniform;
    let routeFormat: ErrorFormat | undefined;
    for (const candidate of this.providers) {
      if (endpointOf(candidate, path) === undefined) continue;
      if (routeFormat !== undefined && routeFormat !== candidate.errorFormat) {
        routeFormat = undefined;
        break;
      }
      routeFormat = candidate.errorFormat;
    }
    if (routeFormat !== undefined) return routeFormat;
    if (project === undefined) return 'openai';
    return (
      this.config.providers.get(project.provider ?? this.config.defaultProvider)?.errorFormat ?? 'openai'
    );
  }
}
