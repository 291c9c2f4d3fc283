export { syncAlert } from './alert';
export { refreshAutotaskCatalog, scheduledCatalogRefresh } from './catalog';
export { verifyAutotaskLink } from './link';
