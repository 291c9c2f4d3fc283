import { type CatalogActivityDeps, createCatalogActivities } from './catalog';
import { createLinkActivities } from './link';

export type ActivityDeps = CatalogActivityDeps;

export function createActivities(deps: ActivityDeps) {
  return { ...createLinkActivities(deps), ...createCatalogActivities(deps) };
}
