import { defineConfig, type UserConfig } from 'vitepress';

type VitePlugin = NonNullable<NonNullable<UserConfig['vite']>['plugins']>[number];

/**
 * @actlab/adversarial-generator has one entry for Node and the browser; its classifier save/load
 * helpers import node:fs. In the browser bundle those imports get stand-ins that throw if called
 * (the demo loads its classifier with tfl.loadLayersModel instead).
 */
function nodeFilesOutsideNode(): VitePlugin {
  const shim = '\0actlab-node-files-shim';
  return {
    name: 'actlab-node-files-shim',
    enforce: 'pre',
    resolveId(id: string, importer: string | undefined, options: { ssr?: boolean } | undefined) {
      const nodeModule = ['fs/promises', 'node:fs/promises', 'path', 'node:path'].includes(id);
      return nodeModule && !options?.ssr && importer?.includes('adversarial-generator')
        ? `${shim}:${id}`
        : null;
    },
    load(id: string) {
      if (!id.startsWith(shim)) return null;
      return [
        "const unavailable = () => { throw new Error('files are not available in the browser'); };",
        'export const mkdir = unavailable, readFile = unavailable, writeFile = unavailable;',
        'export const join = unavailable, dirname = unavailable;',
        'export default { join: unavailable, dirname: unavailable };',
      ].join('\n');
    },
  };
}

const packages = [
  'activations',
  'gradient-probe',
  'mnist-loader',
  'backend',
  'adversarial-generator',
  'mask-detector',
  'errors',
];

export default defineConfig({
  title: 'actlab',
  description: 'Study how activation functions shape learning, on TensorFlow.js',
  cleanUrls: false,
  // Package READMEs link into the repository; those links are rewritten to GitHub.
  ignoreDeadLinks: true,
  // No favicon request (a 404 would be a console error in the browser tests).
  head: [['link', { rel: 'icon', href: 'data:,' }]],
  vite: {
    // tfjs is large; one chunk per demo page is fine for a docs site.
    build: { chunkSizeWarningLimit: 4000 },
    plugins: [nodeFilesOutsideNode()],
  },
  themeConfig: {
    nav: [
      { text: 'Guides', link: '/guide/activations' },
      { text: 'API', link: '/api/activations/' },
      { text: 'Results', link: '/results/' },
      { text: 'Demos', link: '/demos/activation-explorer' },
    ],
    sidebar: [
      {
        text: 'Guides',
        items: [
          ...packages.map((name) => ({ text: `@actlab/${name}`, link: `/guide/${name}` })),
          { text: 'actlab CLI', link: '/guide/cli' },
          {
            text: 'Studies on many machines',
            link: '/guide/cli#many-machines-queue-and-actlab-worker',
          },
        ],
      },
      {
        text: 'API reference',
        items: packages.map((name) => ({ text: `@actlab/${name}`, link: `/api/${name}/` })),
      },
      { text: 'Study results', items: [{ text: 'All reports', link: '/results/' }] },
      {
        text: 'Live demos',
        items: [
          { text: 'Activation explorer', link: '/demos/activation-explorer' },
          { text: 'Gradient flow', link: '/demos/gradient-flow' },
          { text: 'Adversarial examples', link: '/demos/adversarial' },
          { text: 'Mask detector', link: '/demos/mask-detector' },
        ],
      },
    ],
  },
});
