/**
 * Layer rules (ARCHITECTURE.md convention 4), checked in `npm run check`:
 * lib knows no domain; domain files import only lib and other domain files; modules reach each
 * other only through index.ts; channels never import modules; nothing in src imports test code.
 */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'lib-is-domain-free', severity: 'error', from: { path: '^src/lib/' }, to: { path: '^src/(modules|http|cli|db|jobs|channels)/' } },
    {
      name: 'domain-is-pure',
      severity: 'error',
      from: { path: '\\.domain\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/lib/', '\\.domain\\.ts$', '\\.types\\.ts$', '^src/modules/[^/]+/packs/'] },
    },
    {
      name: 'modules-through-index',
      severity: 'error',
      comment: 'A module uses another module only through its index.ts.',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/([^/]+)/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'outside-through-index',
      severity: 'error',
      from: { path: '^src/(http|cli|jobs|channels)/|^src/[^/]+\\.ts$' },
      to: { path: '^src/modules/[^/]+/(?!index\\.ts$)' },
    },
    { name: 'channels-never-import-modules', severity: 'error', from: { path: '^src/channels/' }, to: { path: '^src/modules/' } },
    { name: 'no-test-code-in-src', severity: 'error', from: { path: '^src/', pathNot: '\\.test\\.ts$' }, to: { path: '^test/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
