import { createLinkActivities, type LinkActivityDeps } from './link';

export type ActivityDeps = LinkActivityDeps;

export function createActivities(deps: ActivityDeps) {
  return { ...createLinkActivities(deps) };
}
