/**
 * Proposes tenant → Autotask Company mappings from company names and web addresses. Pure: the caller loads tenants
 * and companies and decides what to do with the proposals; an ambiguous match is listed, never chosen.
 */

export interface TenantForSuggestion {
  tenantId: string;
  name: string;
  domains: string[];
  companyId: number | null;
}

export interface CompanyForSuggestion {
  id: number;
  name: string;
  isActive: boolean;
  webAddress: string | null;
}

export type SuggestionReason = 'name' | 'domain';

export interface Suggestion {
  tenantId: string;
  companyId: number;
  companyName: string;
  reason: SuggestionReason;
}

export interface AmbiguousSuggestion {
  tenantId: string;
  candidates: Array<{ companyId: number; companyName: string; reason: SuggestionReason }>;
}

export interface Suggestions {
  suggestions: Suggestion[];
  ambiguous: AmbiguousSuggestion[];
}

type Candidate = AmbiguousSuggestion['candidates'][number];

/** Legal forms that say nothing about which customer a company is. Dotted forms ("b.v.") arrive here without dots. */
const LEGAL_SUFFIXES = new Set([
  'ltd', 'limited', 'inc', 'incorporated', 'llc', 'llp', 'lp', 'plc', 'corp', 'corporation', 'co', 'company',
  'gmbh', 'mbh', 'ag', 'kg', 'ohg', 'ug', 'bv', 'nv', 'sa', 'sas', 'sarl', 'srl', 'spa', 'sl', 'oy', 'ab', 'as',
  'aps', 'pty', 'pte', 'kk',
]);

export function normalizeCompanyName(name: string): string {
  const tokens = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    // Dots and apostrophes sit inside abbreviations and words ("b.v.", "O'Brien"), so they join what they separate.
    .replace(/[.'’‘ʼ]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter((token) => token !== '');
  // The length check keeps at least one token, so a name that is only a legal form ("Inc") still has a key.
  while (tokens.length > 1 && isLegalFormTail(tokens)) tokens.pop();
  return tokens.join(' ');
}

function isLegalFormTail(tokens: string[]): boolean {
  const last = tokens[tokens.length - 1]!;
  // "GmbH & Co. KG": the "and" joins two legal forms, so it goes once "co kg" has been removed.
  return LEGAL_SUFFIXES.has(last) || (last === 'and' && LEGAL_SUFFIXES.has(tokens[tokens.length - 2]!));
}

/** Two or more DNS labels; the last must start with a letter, which rules out IPv4 addresses. */
const HOSTNAME = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z](?:[a-z0-9-]*[a-z0-9])?$/;

export function hostOf(webAddressOrDomain: string): string | null {
  const input = webAddressOrDomain.trim();
  if (input === '') return null;
  // WHATWG URL parsing strips credentials, port, path, query and fragment, lower-cases and punycodes the host,
  // so an address typed as "münchen.de" and a domain stored as "xn--mnchen-3ya.de" compare equal.
  const withScheme = /^[a-z][a-z\d+.-]*:\/\//i.test(input) ? input : `http://${input}`;
  let host: string;
  try {
    host = new URL(withScheme).hostname;
  } catch {
    return null;
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  // Only when something host-like remains, so "www.com" stays itself.
  if (host.startsWith('www.') && host.includes('.', 4)) host = host.slice(4);
  return HOSTNAME.test(host) ? host : null;
}

export function suggestMappings(tenants: TenantForSuggestion[], companies: CompanyForSuggestion[]): Suggestions {
  // Indexed once so each tenant costs a few Map lookups, not a scan of every company.
  const byName = new Map<string, CompanyForSuggestion[]>();
  const byHost = new Map<string, CompanyForSuggestion[]>();
  for (const company of companies) {
    if (!company.isActive) continue;
    addTo(byName, normalizeCompanyName(company.name), company);
    if (company.webAddress !== null) addTo(byHost, hostOf(company.webAddress), company);
  }

  const result: Suggestions = { suggestions: [], ambiguous: [] };
  const unmapped = tenants.filter((tenant) => tenant.companyId === null);
  unmapped.sort((a, b) => compare(a.tenantId, b.tenantId));
  for (const tenant of unmapped) {
    const matches = new Map<number, Candidate>();
    // Domains first: when a company matches both ways, the domain is the stronger evidence and its reason stays.
    for (const domain of tenant.domains) {
      const host = hostOf(domain);
      if (host === null) continue;
      for (const company of byHost.get(host) ?? []) addCandidate(matches, company, 'domain');
    }
    // Empty keys are never indexed (see addTo), so a punctuation-only tenant name finds nothing here.
    for (const company of byName.get(normalizeCompanyName(tenant.name)) ?? []) addCandidate(matches, company, 'name');

    const candidates = [...matches.values()];
    if (candidates.length === 1) {
      result.suggestions.push({ tenantId: tenant.tenantId, ...candidates[0]! });
    } else if (candidates.length > 1) {
      candidates.sort((a, b) => compare(a.companyName, b.companyName) || a.companyId - b.companyId);
      result.ambiguous.push({ tenantId: tenant.tenantId, candidates });
    }
  }
  return result;
}

/** An empty key (a name of punctuation only, an unusable address) would pair unrelated records, so it is not indexed. */
function addTo(index: Map<string, CompanyForSuggestion[]>, key: string | null, company: CompanyForSuggestion): void {
  if (!key) return;
  const list = index.get(key);
  if (list) list.push(company);
  else index.set(key, [company]);
}

function addCandidate(matches: Map<number, Candidate>, company: CompanyForSuggestion, reason: SuggestionReason): void {
  if (!matches.has(company.id)) matches.set(company.id, { companyId: company.id, companyName: company.name, reason });
}

/** Code-unit order: the same result on every machine, whatever its locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
