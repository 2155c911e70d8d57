// HTTP routes this capability adds to `edgebench serve`.
import type { Route } from '../server/routes';

export const registerRoutes: Route[] = [];
