export { verifyAutotaskLink } from './link';
