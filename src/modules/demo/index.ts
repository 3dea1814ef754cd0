export { generateDemoPortfolio, DEMO_COUNTRIES, DEMO_CREDITORS, type DemoAccount, type DemoPayment } from './demo.generate.ts';
export { loadDemoPortfolio, DEMO_API_KEY, DEMO_TENANT_SLUG, type DemoDeps, type DemoResult } from './demo.service.ts';
