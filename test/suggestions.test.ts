import {
  hostOf,
  normalizeCompanyName,
  suggestMappings,
  type CompanyForSuggestion,
  type TenantForSuggestion,
} from '../mapping/suggestions';

const tenant = (tenantId: string, name: string, domains: string[] = [], companyId: number | null = null) =>
  ({ tenantId, name, domains, companyId }) satisfies TenantForSuggestion;

const company = (id: number, name: string, webAddress: string | null = null, isActive = true) =>
  ({ id, name, isActive, webAddress }) satisfies CompanyForSuggestion;

describe('normalizeCompanyName', () => {
  it.each([
    ['ACME, Inc.', 'acme'],
    ['Acme Incorporated', 'acme'],
    ['acme', 'acme'],
    ['Müller GmbH', 'muller'],
    ['Smith & Sons Ltd', 'smith and sons'],
    ['Smith and Sons', 'smith and sons'],
    ['Acme Holdings Pty Ltd.', 'acme holdings'],
    ['Van Dijk B.V.', 'van dijk'],
    ['Rossi S.r.l.', 'rossi'],
    ['Müller GmbH & Co. KG', 'muller'],
    ["O'Brien  (Dublin) / IT-Services", 'obrien dublin it services'],
    ['  Ｃａｆé\tNoir  ', 'cafe noir'],
  ])('%j → %j', (name, expected) => {
    expect(normalizeCompanyName(name)).toBe(expected);
  });

  it('removes legal forms only as trailing words', () => {
    expect(normalizeCompanyName('Company Of Heroes Ltd')).toBe('company of heroes');
    expect(normalizeCompanyName('Inc Solutions')).toBe('inc solutions');
  });

  it('keeps a name that is only a legal form', () => {
    expect(normalizeCompanyName('Inc')).toBe('inc');
    expect(normalizeCompanyName('Pty Ltd')).toBe('pty');
  });
});

describe('hostOf', () => {
  it.each([
    ['acme.com', 'acme.com'],
    ['https://www.Acme.com/contact', 'acme.com'],
    ['http://acme.com:8080', 'acme.com'],
    ['  WWW.ACME.COM.  ', 'acme.com'],
    ['https://user:secret@shop.acme.co.uk:443/a?b=c#d', 'shop.acme.co.uk'],
    ['acme.com/path?q=1', 'acme.com'],
    ['münchen.de', 'xn--mnchen-3ya.de'],
    ['www.com', 'www.com'],
  ])('%j → %j', (input, expected) => {
    expect(hostOf(input)).toBe(expected);
  });

  it.each(['', '   ', 'n/a', 'acme', 'http://', 'not a website', '192.168.1.10', 'http://[::1]:8080', 'www.', '999'])(
    'rejects %j',
    (input) => {
      expect(hostOf(input)).toBeNull();
    },
  );
});

describe('suggestMappings', () => {
  it('suggests the company with the exact same name', () => {
    const result = suggestMappings([tenant('t1', 'Contoso')], [company(1, 'Contoso'), company(2, 'Fabrikam')]);
    expect(result).toEqual({
      suggestions: [{ tenantId: 't1', companyId: 1, companyName: 'Contoso', reason: 'name' }],
      ambiguous: [],
    });
  });

  it('matches names after normalization', () => {
    const result = suggestMappings(
      [tenant('t1', 'ACME, Inc.'), tenant('t2', 'Muller'), tenant('t3', 'Smith and Sons')],
      [company(1, 'Acme Incorporated'), company(2, 'Müller GmbH'), company(3, 'Smith & Sons Ltd')],
    );
    expect(result.suggestions).toEqual([
      { tenantId: 't1', companyId: 1, companyName: 'Acme Incorporated', reason: 'name' },
      { tenantId: 't2', companyId: 2, companyName: 'Müller GmbH', reason: 'name' },
      { tenantId: 't3', companyId: 3, companyName: 'Smith & Sons Ltd', reason: 'name' },
    ]);
    expect(result.ambiguous).toEqual([]);
  });

  it("matches a tenant domain to the host of a company's web address", () => {
    const result = suggestMappings(
      [tenant('t1', 'Northwind IT', ['northwind.onmicrosoft.com', 'Northwind.com'])],
      [company(1, 'NW Traders', 'https://www.northwind.com/about?ref=x'), company(2, 'Other', 'other.com')],
    );
    expect(result.suggestions).toEqual([{ tenantId: 't1', companyId: 1, companyName: 'NW Traders', reason: 'domain' }]);
  });

  it('reports one company matching by name and by domain once, as a domain match', () => {
    const result = suggestMappings([tenant('t1', 'Acme', ['acme.com'])], [company(7, 'Acme Ltd', 'http://acme.com')]);
    expect(result).toEqual({
      suggestions: [{ tenantId: 't1', companyId: 7, companyName: 'Acme Ltd', reason: 'domain' }],
      ambiguous: [],
    });
  });

  it('lists, without choosing, two active companies with the same normalized name', () => {
    const result = suggestMappings([tenant('t1', 'Acme')], [company(9, 'ACME Inc'), company(4, 'Acme, LLC')]);
    expect(result).toEqual({
      suggestions: [],
      ambiguous: [
        {
          tenantId: 't1',
          candidates: [
            { companyId: 9, companyName: 'ACME Inc', reason: 'name' },
            { companyId: 4, companyName: 'Acme, LLC', reason: 'name' },
          ],
        },
      ],
    });
  });

  it('lists, without choosing, a name match on one company and a domain match on another', () => {
    const result = suggestMappings(
      [tenant('t1', 'Globex', ['globex.io'])],
      [company(2, 'Globex Corporation'), company(1, 'Globex International', 'globex.io')],
    );
    expect(result.suggestions).toEqual([]);
    expect(result.ambiguous).toEqual([
      {
        tenantId: 't1',
        candidates: [
          { companyId: 2, companyName: 'Globex Corporation', reason: 'name' },
          { companyId: 1, companyName: 'Globex International', reason: 'domain' },
        ],
      },
    ]);
  });

  it('breaks a tie on company name by id', () => {
    const result = suggestMappings([tenant('t1', 'Acme')], [company(5, 'Acme'), company(3, 'Acme')]);
    expect(result.ambiguous[0]!.candidates.map((c) => c.companyId)).toEqual([3, 5]);
  });

  it('ignores inactive companies', () => {
    const result = suggestMappings(
      [tenant('t1', 'Initech', ['initech.com']), tenant('t2', 'Hooli')],
      [company(1, 'Initech', 'initech.com', false), company(2, 'Initech Ltd'), company(3, 'Hooli', null, false)],
    );
    expect(result).toEqual({
      suggestions: [{ tenantId: 't1', companyId: 2, companyName: 'Initech Ltd', reason: 'name' }],
      ambiguous: [],
    });
  });

  it('leaves an already mapped tenant alone', () => {
    const result = suggestMappings(
      [tenant('t1', 'Acme', ['acme.com'], 42), tenant('t2', 'Acme', ['acme.com'], 1)],
      [company(1, 'Acme', 'acme.com'), company(2, 'Acme Ltd')],
    );
    expect(result).toEqual({ suggestions: [], ambiguous: [] });
  });

  it('leaves out tenants without a match, and does not pair unusable keys', () => {
    const result = suggestMappings(
      [tenant('t1', 'Umbrella', ['umbrella.com']), tenant('t2', '---', ['n/a'])],
      [company(1, 'Wayne Enterprises', 'wayne.com'), company(2, '???', 'n/a')],
    );
    expect(result).toEqual({ suggestions: [], ambiguous: [] });
  });

  it('orders the output by tenant id', () => {
    const result = suggestMappings(
      [tenant('t3', 'Gamma'), tenant('t1', 'Alpha'), tenant('t2', 'Beta'), tenant('t0', 'Beta Corp')],
      [company(1, 'Alpha'), company(2, 'Beta'), company(3, 'Gamma'), company(4, 'Beta Co')],
    );
    expect(result.suggestions.map((s) => s.tenantId)).toEqual(['t1', 't3']);
    expect(result.ambiguous.map((a) => a.tenantId)).toEqual(['t0', 't2']);
  });
});
