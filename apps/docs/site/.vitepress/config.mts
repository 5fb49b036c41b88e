import { defineConfig } from 'vitepress';

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
    // Our packages' browser builds are bundled for the server render too; tfjs stays a bare import
    // there, so Node loads its own build (resolved by Vite, it was tfjs-core's ES build, whose
    // extensionless imports Node cannot load).
    ssr: {
      external: [
        '@tensorflow/tfjs-core',
        '@tensorflow/tfjs-layers',
        '@tensorflow/tfjs-converter',
        '@tensorflow/tfjs-backend-cpu',
        '@tensorflow/tfjs-backend-wasm',
      ],
    },
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
