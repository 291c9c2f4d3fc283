import { type AlertActivityDeps, createAlertActivities } from './alerts';
import { type CatalogActivityDeps, createCatalogActivities } from './catalog';
import { createLinkActivities } from './link';

export type ActivityDeps = CatalogActivityDeps & AlertActivityDeps;

export function createActivities(deps: ActivityDeps) {
  return { ...createLinkActivities(deps), ...createCatalogActivities(deps), ...createAlertActivities(deps) };
}
