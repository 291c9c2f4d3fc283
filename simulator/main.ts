/** Runs the Autotask simulator with one demo account and a few demo companies: `npm run simulator`. */
import { startAutotaskSimulator, type SimulatedCompany } from './server';

const DEMO_ACCOUNT = {
  username: 'petra-api@demo.example',
  secret: 'demo-secret',
  integrationCode: 'DEMOINTEGRATIONCODE00000000',
  zone: 'ws5',
};

const DEMO_COMPANY_NAMES = [
  'Acme Manufacturing', 'Birchwood Dental Group', 'Cobalt Logistics', 'Dunmore & Hale LLP', 'Evergreen Property Management',
  'Fjord Analytics', 'Granite Ridge Credit Union', 'Harbor Point Marina', 'Ironclad Security Services', 'Juniper Veterinary Clinic',
  'Keystone Architects', 'Lakeside Community College', 'Meridian Health Partners', 'Northwind Traders', 'Oakhurst Realty',
  'Pinnacle Engineering', 'Quarry Hill Brewing', 'Redwood Legal Services', 'Summit Orthopedics', 'Tidewater Insurance',
  'Umber Creative Studio', 'Vantage Freight', 'Willow Creek Farms', 'Xenon Data Labs',
];

function demoCompanies(): SimulatedCompany[] {
  const day = 24 * 60 * 60 * 1000;
  const root: SimulatedCompany = { id: 0, companyName: 'Petra Demo MSP (own company)', companyType: 8 };
  return [
    root,
    ...DEMO_COMPANY_NAMES.map((companyName, index): SimulatedCompany => {
      const id = 29_683_000 + index * 7;
      return {
        id,
        companyName,
        companyNumber: `C-${1000 + index}`,
        // Mostly customers, with a prospect, a vendor and an inactive ("dead") company to exercise filters.
        companyType: index % 11 === 5 ? 3 : index % 11 === 9 ? 7 : 1,
        isActive: index !== 13,
        phone: `+1 555 01${String(index).padStart(2, '0')}`,
        webAddress: `https://www.${companyName.toLowerCase().replace(/[^a-z]+/g, '')}.example`,
        city: ['Portland', 'Seattle', 'Boise', 'Sacramento'][index % 4],
        createDate: new Date(Date.now() - (400 - index * 11) * day).toISOString(),
      };
    }),
  ];
}

async function main(): Promise<void> {
  const port = Number(process.env.SIMULATOR_PORT ?? 8099);
  const simulator = await startAutotaskSimulator({ port, host: '127.0.0.1', companies: demoCompanies() });
  simulator.addAccount(DEMO_ACCOUNT);

  console.log(`Autotask simulator listening on ${simulator.baseUrl}`);
  console.log(`Zone lookup URL:  ${simulator.zoneLookupUrl}?user=${encodeURIComponent(DEMO_ACCOUNT.username)}`);
  console.log(`Demo API user:    ${DEMO_ACCOUNT.username}`);
  console.log(`Demo secret:      ${DEMO_ACCOUNT.secret}`);
  console.log(`Integration code: ${DEMO_ACCOUNT.integrationCode}`);

  const shutdown = () => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
