/**
 * The layers of ari-dialer (see docs/architecture.md), lowest first. A module may import its own layer's folder and any
 * layer below it; never a layer above, and never in a cycle. `npm run lint` runs this check (dependency-cruiser:
 * it reads TypeScript's own module resolution, counts type-only imports too, and names each offending import).
 */
const layers = [
  ['base', '^src/(errors|log|package-file)\\.ts$'],
  ['ari', '^src/ari/'],
  ['dialer', '^src/dialer/'],
  ['sim', '^src/sim/'],
  ['policy', '^src/policy/'],
  ['report', '^src/report/'],
  ['webhook', '^src/webhook/'],
  ['store', '^src/store/'],
  ['campaign', '^src/campaign/'],
  ['jobs', '^jobs/'],
  ['ops', '^src/ops/'],
  ['dashboard', '^src/dashboard/'],
  ['cli', '^src/cli/'],
  ['package', '^src/index\\.ts$'],
];
/** Peers: folders of the same height that must not import each other. */
const peers = [
  ['sim', 'policy', 'report', 'webhook'],
  ['jobs', 'ops', 'dashboard'],
];

const peerOf = (name) => peers.find((group) => group.includes(name)) ?? [name];
const layerRules = layers.map(([name, path], i) => {
  const allowedBelow = layers.filter(([other], j) => j < i && !(peerOf(name).includes(other) && other !== name)).map(([, p]) => p);
  return {
    name: `layer-${name}`,
    comment: `${name} may import only itself and the layers below it: ${
      layers
        .slice(0, i)
        .map(([n]) => n)
        .filter((n) => !peerOf(name).includes(n))
        .join(', ') || 'none'
    }`,
    severity: 'error',
    from: { path },
    to: { path: '^(src|jobs)/', pathNot: [path, ...allowedBelow] },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    { name: 'no-cycle', severity: 'error', comment: 'No import cycles.', from: {}, to: { circular: true } },
    {
      name: 'no-test-or-script-from-src',
      severity: 'error',
      comment: 'Shipped code never imports tests, benches or scripts.',
      from: { path: '^(src|jobs)/' },
      to: { path: '^(test|scripts)/' },
    },
    {
      name: 'layer-unknown',
      severity: 'error',
      comment: 'Every shipped module belongs to a declared layer: add new folders to .dependency-cruiser.cjs.',
      from: { path: '^(src|jobs)/', pathNot: layers.map(([, p]) => p) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
