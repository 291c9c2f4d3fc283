export { refreshAutotaskCatalog, scheduledCatalogRefresh } from './catalog';
export { verifyAutotaskLink } from './link';
