import { IMeshDestination } from './host';
import { RouteDestination } from './http-route';

/**
 * A destination that is itself a weighted split (e.g. a CanaryService: stable 90 / canary 10), so routes
 * defined elsewhere — at the edge, for example — reuse its weights instead of copying them.
 */
export interface ITrafficSplit extends IMeshDestination {
  /** The weighted destinations, in a stable order, with weights summing to 100. */
  toRouteDestinations(): RouteDestination[];
}
